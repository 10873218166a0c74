#include <dirent.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/tz.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "i18n/pack.h"
#include "tpl/tpl.h"
#include "web/web.h"

int app_load_resources(char *err, size_t errlen)
{
	int rc = i18n_init(err, errlen);
	i18n_format_init();
	if (!rc)
		rc = tpl_registry_init(err, errlen);
	return rc;
}

/* Language packs and the time zone: read from the database at start, and again within 5
 * seconds of a change made outside this process's pages (ponte i18n load, ponte settings set
 * second_language or time_zone). At most one request in 5 seconds asks, with small queries.
 * On PostgreSQL, where several processes may serve one database, every request asks: a page
 * saved through one process is shown by the next request whichever process answers it
 * (three indexed reads; docs/store.md, Several processes). */
static int64_t next_language_check;

void app_languages_refresh(store *db, bool force)
{
	int64_t now = (int64_t)(clock_monotonic_ns() / 1000000u);
	int64_t next = __atomic_load_n(&next_language_check, __ATOMIC_RELAXED);
	if (!force && !store_is_pg(db) &&
	    (now < next || !__atomic_compare_exchange_n(&next_language_check, &next, now + 5000,
							false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)))
		return;
	char zone[TZ_NAME_MAX], second[8], err[256] = "";
	setting_get_text(db, "time_zone", "UTC", zone, sizeof(zone));
	if (!i18n_zone_set(zone))
		log_msg(LOG_WARN, "i18n.time_zone", "the setting time_zone names no zone; kept");
	setting_get_text(db, "second_language", "en", second, sizeof(second));
	int rc = force ? pack_reload(db, second, err, sizeof(err))
		       : pack_reload_if_changed(db, second, err, sizeof(err));
	if (rc < 0)
		log_msg(LOG_WARN, "i18n.packs", ponte_strerror(rc));
	else if (rc > 0)
		log_msg(LOG_WARN, "i18n.packs", err);
}

static int make_dir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
	return PONTE_EIO;
}

int app_file_dirs(store *db, char *files_dir, size_t n, char *err, size_t errlen)
{
	char spool[4096], knowledge[4096], cases[4096];
	const char *files = store_files_dir(db);
	if (!files) {
		snprintf(err, errlen,
			 "a PostgreSQL database needs a folder for its files: give one with "
			 "PONTE_FILES=DIR (or `ponte serve --files DIR`)");
		return PONTE_EINVAL;
	}
	if ((size_t)snprintf(files_dir, n, "%s", files) >= n ||
	    (size_t)snprintf(spool, sizeof(spool), "%s/spool", files_dir) >= sizeof(spool) ||
	    (size_t)snprintf(knowledge, sizeof(knowledge), "%s/knowledge", files_dir) >=
		sizeof(knowledge) ||
	    (size_t)snprintf(cases, sizeof(cases), "%s/cases", files_dir) >= sizeof(cases)) {
		snprintf(err, errlen, "the database path is too long");
		return PONTE_ELIMIT;
	}
	int rc = make_dir(files_dir, err, errlen);
	if (!rc)
		rc = make_dir(spool, err, errlen);
	if (!rc)
		rc = make_dir(knowledge, err, errlen);
	if (!rc) /* case attachments, sealed (src/cases/attachments.c) */
		rc = make_dir(cases, err, errlen);
	return rc;
}

/* Uploads a crash left half-written in the spool: nothing refers to them. */
static void clear_spool(const char *spool)
{
	DIR *d = opendir(spool);
	for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d))
		if (strncmp(e->d_name, "upload-", 7) == 0)
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
}

int app_init(app *a, store *db, crypto_keyring *keys, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	int rc = http_routes_validate(app_routes, app_routes_count, err, errlen);
	if (rc)
		return rc;
	a->svc.db = db;
	a->svc.keys = keys;
	a->svc.env = (keyed_store){ db, keys };
	if ((rc = app_file_dirs(db, a->svc.files_dir, sizeof(a->svc.files_dir), err, errlen)))
		return rc;
	snprintf(a->svc.spool_dir, sizeof(a->svc.spool_dir), "%.4000s/spool", a->svc.files_dir);
	clear_spool(a->svc.spool_dir);
	/* Letters, digits and '_' only, 1 to 32: anything else keeps the default name. */
	const char *cookie = getenv("PONTE_SESSION_COOKIE");
	bool cookie_ok = cookie && *cookie && strlen(cookie) < SESSION_COOKIE_MAX;
	for (const char *c = cookie; cookie_ok && *c; c++)
		cookie_ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9') || *c == '_';
	snprintf(a->svc.session_cookie, sizeof(a->svc.session_cookie), "%s",
		 cookie_ok ? cookie : SESSION_COOKIE);
	a->svc.metrics = http_metrics_new(app_routes, app_routes_count);
	if (!a->svc.metrics)
		return PONTE_ENOMEM;
	a->http.routes = app_routes;
	a->http.nroutes = app_routes_count;
	a->http.ctx = &a->svc;
	a->http.render_error = web_render_error;
	a->http.authenticate = app_authenticate;
	a->http.permits = app_permits;
	a->http.csrf_token = app_csrf_token;
	a->http.must_visit = app_must_visit;
	a->http.login_path = "/login";
	app_languages_refresh(db, true);
	return 0;
}

void app_release(app *a)
{
	http_metrics_free(a->svc.metrics);
	a->svc.metrics = NULL;
}

int app_start(app *a, const http_server_config *cfg, char *err, size_t errlen)
{
	/* A request's arena grows to a few hundred kilobytes on a list page. By default glibc
	 * maps blocks of 128 KiB and more on their own and trims freed memory back to the
	 * kernel, so every request paid for mmap, page faults on first touch and munmap (a
	 * quarter of the server's time on the case list at 64 connections, bench/reads.sh).
	 * Serving from the heap and keeping freed memory lets the next request reuse warm
	 * pages; the bound is the peak of concurrent requests, which the connection limit
	 * caps. */
	mallopt(M_MMAP_THRESHOLD, 8 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	http_server_config c = *cfg;
	c.metrics = a->svc.metrics;
	c.spool_dir = a->svc.spool_dir;
	int rc = audit_writer_start(a->svc.db, &a->audit);
	if (rc) {
		snprintf(err, errlen, "cannot start the audit writer: %s", ponte_strerror(rc));
		return rc;
	}
	rc = http_server_start(&a->http, &c, &a->server, err, errlen);
	if (rc) {
		audit_writer_stop(a->audit);
		a->audit = NULL;
	}
	return rc;
}

unsigned app_stop(app *a)
{
	unsigned left = http_server_stop(a->server);
	a->server = NULL;
	audit_writer_stop(a->audit);
	a->audit = NULL;
	return left;
}
