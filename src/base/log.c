#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/log.h"

static enum log_level min_level = LOG_INFO;
static int log_fd = 2;

void log_set_level(enum log_level level)
{
	min_level = level;
}

void log_set_fd(int fd)
{
	log_fd = fd;
}

int log_get_fd(void)
{
	return log_fd;
}

bool log_enabled(enum log_level level)
{
	return level >= min_level && log_fd >= 0;
}

static const char *level_name(enum log_level level)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	return names[level];
}

void log_event(enum log_level level, const char *event, const char *json_fields)
{
	if (!log_enabled(level))
		return;
	char stack[1024];
	char when[CLOCK_RFC3339_LEN];
	clock_format_rfc3339(clock_wall_ms(), when);
	buf b;
	buf_init(&b, 64 * 1024);
	int rc =
	    buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"event\":", when, level_name(level));
	if (!rc)
		rc = json_cstring(&b, event);
	if (!rc && json_fields)
		rc = buf_puts(&b, json_fields);
	if (!rc)
		rc = buf_puts(&b, "}\n");
	const char *line = rc ? stack : b.data;
	size_t len =
	    rc ? (size_t)snprintf(
		     stack, sizeof(stack),
		     "{\"time\":\"%s\",\"level\":\"error\",\"event\":\"log_overflow\"}\n", when)
	       : b.len;
	/* One write per line; a short write on a pipe is retried from where it stopped. */
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(log_fd, line + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	buf_release(&b);
}

void log_msg(enum log_level level, const char *event, const char *message)
{
	if (!log_enabled(level))
		return;
	buf f;
	buf_init(&f, 8192);
	if (json_field_str(&f, false, "message", message) == 0)
		log_event(level, event, f.data);
	else
		log_event(level, event, NULL);
	buf_release(&f);
}
