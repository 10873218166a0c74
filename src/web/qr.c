#include <qrencode.h>

#include "tpl/escape.h"
#include "web/web.h"

/* An SVG drawing of a QR code: one path of unit squares, fixed markup only (the text is
 * encoded in the pattern, never copied into the markup). */
int web_qr_svg(buf *out, const char *text, const char *label)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return PONTE_EINVAL;
	int size = qr->width, margin = 4, total = size + 2 * margin;
	int rc = buf_printf(
	    out,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
	    total, total, total * 5, total * 5);
	if (!rc)
		rc = escape_html(out, label, strlen(label));
	if (!rc)
		rc =
		    buf_printf(out,
			       "\" shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
			       "fill=\"#fff\"/><path fill=\"#000\" d=\"",
			       total, total);
	for (int y = 0; y < size && !rc; y++)
		for (int x = 0; x < size && !rc; x++)
			if (qr->data[y * size + x] & 1)
				rc = buf_printf(out, "M%d %dh1v1h-1z", x + margin, y + margin);
	if (!rc)
		rc = buf_puts(out, "\"/></svg>");
	QRcode_free(qr);
	return rc;
}
