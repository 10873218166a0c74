/* Envelopes: canonical bytes (signed), the signature after them, the whole sealed to the
 * recipient, wrapped in JSON with the addressing (docs/trm-protocol.md). */
#include "base/json.h"
#include "trm/trm.h"

static const char *const KEYS[] = {
	"id", "type", "from", "to", "created", "expires", "in-reply-to"
};

static bool type_valid(const char *t)
{
	size_t n = t ? strlen(t) : 0;
	return n && n <= 40 && strspn(t, "abcdefghijklmnopqrstuvwxyz_") == n;
}

static bool line_valid(const char *s)
{
	return s && strlen(s) <= 64 && !strpbrk(s, "\r\n");
}

int trm_canonical(const trm_envelope *e, buf *out)
{
	const char *values[] = { e->id,
				 e->type,
				 e->from,
				 e->to,
				 e->created,
				 e->expires,
				 e->in_reply_to ? e->in_reply_to : "" };
	if (!type_valid(e->type))
		return PONTE_EINVAL;
	for (size_t i = 0; i < ARRAY_LEN(values); i++)
		if (!line_valid(values[i]))
			return PONTE_EINVAL;
	out->len = 0;
	int rc = buf_puts(out, TRM_PROTOCOL "\n");
	for (size_t i = 0; !rc && i < ARRAY_LEN(KEYS); i++)
		rc = buf_printf(out, "%s:%s\n", KEYS[i], values[i]);
	if (!rc)
		rc = buf_printf(out, "payload:%zu\n", e->payload_len);
	if (!rc)
		rc = buf_append(out, e->payload, e->payload_len);
	return rc;
}

/* The next line of text starting "key:", its value NUL-terminated in place. */
static char *field(char **p, char *end, const char *key)
{
	size_t k = strlen(key);
	char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl || (size_t)(nl - *p) < k + 1 || memcmp(*p, key, k) != 0 || (*p)[k] != ':')
		return NULL;
	*nl = '\0';
	char *v = *p + k + 1;
	*p = nl + 1;
	/* A carriage return or a NUL inside would make two byte strings mean one envelope. */
	return memchr(v, '\r', (size_t)(nl - v)) || memchr(v, '\0', (size_t)(nl - v)) ? NULL : v;
}

int trm_parse_canonical(char *text, size_t n, trm_envelope *e)
{
	memset(e, 0, sizeof(*e));
	char *p = text, *end = text + n;
	size_t plen = strlen(TRM_PROTOCOL);
	if (n < plen + 1 || memcmp(p, TRM_PROTOCOL "\n", plen + 1) != 0)
		return PONTE_EINVAL;
	p += plen + 1;
	const char **slots[] = { NULL,        &e->type,    &e->from,       &e->to,
				 &e->created, &e->expires, &e->in_reply_to };
	for (size_t i = 0; i < ARRAY_LEN(KEYS); i++) {
		char *v = field(&p, end, KEYS[i]);
		if (!v || strlen(v) > 64)
			return PONTE_EINVAL;
		if (i == 0) {
			if (strlen(v) >= sizeof(e->id))
				return PONTE_EINVAL;
			memcpy(e->id, v, strlen(v) + 1);
		} else
			*slots[i] = v;
	}
	char *len = field(&p, end, "payload"), *stop;
	/* One way to write a length: digits, no leading zero. */
	if (!len || !*len || strlen(len) > 8 || strspn(len, "0123456789") != strlen(len) ||
	    (len[0] == '0' && len[1]))
		return PONTE_EINVAL;
	unsigned long long want = strtoull(len, &stop, 10);
	if ((unsigned long long)(end - p) != want || !type_valid(e->type) ||
	    !trm_uuid_valid(e->id) || !trm_uuid_valid(e->from) || !trm_uuid_valid(e->to))
		return PONTE_EINVAL;
	e->payload = p;
	e->payload_len = (size_t)want;
	return 0;
}

int trm_seal(const trm_envelope *e, const unsigned char sign_sk[CRYPTO_SIGN_SK],
	     const unsigned char box_pk[CRYPTO_BOX_PK], buf *wire)
{
	buf signed_msg, sealed, b64;
	buf_init(&signed_msg, TRM_MAX_BODY);
	buf_init(&sealed, TRM_MAX_BODY);
	buf_init(&b64, 2 * TRM_MAX_BODY);
	int rc = trm_canonical(e, &signed_msg);
	unsigned char sig[CRYPTO_SIGNATURE];
	if (!rc) {
		crypto_signature(signed_msg.data, signed_msg.len, sign_sk, sig);
		rc = buf_append(&signed_msg, sig, sizeof(sig));
	}
	if (!rc)
		rc = crypto_seal_for(signed_msg.data, signed_msg.len, box_pk, &sealed);
	if (!rc)
		rc = crypto_base64_encode(sealed.data, sealed.len, &b64);
	wire->len = 0;
	if (!rc)
		rc = buf_puts(wire, "{\"v\":1");
	if (!rc)
		rc = json_field_str(wire, false, "from", e->from);
	if (!rc)
		rc = json_field_str(wire, false, "to", e->to);
	if (!rc)
		rc = json_field_str(wire, false, "sealed", b64.data);
	if (!rc)
		rc = buf_putc(wire, '}');
	crypto_wipe(signed_msg.data, signed_msg.len);
	buf_release(&signed_msg);
	buf_release(&sealed);
	buf_release(&b64);
	return rc;
}
