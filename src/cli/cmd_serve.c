#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include "app/app.h"
#include "base/json.h"
#include "base/log.h"
#include "cases/cases.h"
#include "cli/cli.h"
#include "keys/keys.h"
#include "trm/trm.h"

/* Wait for SIGTERM or SIGINT; they are blocked in every thread, so only this one sees them. */
static int wait_for_stop_signal(const sigset_t *set)
{
	int sig = 0;
	while (sigwait(set, &sig) != 0)
		;
	return sig;
}

/* A database or files folder that other users of the machine can open is a leak waiting for
 * a curious account: say so at every start (older installations were created 0644). */
static void warn_if_open_to_others(const char *path, bool folder)
{
	struct stat sb;
	if (stat(path, &sb) != 0 || !(sb.st_mode & 077))
		return;
	buf f;
	buf_init(&f, 8192);
	int rc = buf_puts(&f, ",\"path\":");
	if (!rc)
		rc = json_string(&f, path, strlen(path));
	if (!rc)
		rc = buf_printf(&f,
				",\"mode\":\"%04o\",\"message\":\"other users of this machine "
				"can open it: run chmod %s on it\"",
				(unsigned)(sb.st_mode & 07777), folder ? "700" : "600");
	log_event(LOG_WARN, "readable_by_others", rc ? "" : f.data);
	buf_release(&f);
}

static void warn_about_exposed_files(const char *db, const char *files_dir)
{
	char p[4200];
	warn_if_open_to_others(db, false);
	snprintf(p, sizeof(p), "%.4000s-wal", db);
	warn_if_open_to_others(p, false);
	snprintf(p, sizeof(p), "%.4000s-shm", db);
	warn_if_open_to_others(p, false);
	warn_if_open_to_others(files_dir, true);
}

int cmd_serve(int argc, char **argv)
{
	http_server_config cfg;
	http_server_config_defaults(&cfg);
	const char *env_listen = getenv("PONTE_LISTEN");
	if (env_listen && *env_listen)
		cfg.listen = env_listen;
	cfg.trusted_proxies = getenv("PONTE_TRUSTED_PROXIES");
	const char *db = NULL, *key = NULL, *files = getenv("PONTE_FILES"),
		   *public_url = getenv("PONTE_PUBLIC_URL"),
		   *backup_dir = getenv("PONTE_BACKUP_DIR"), *backup_key = NULL,
		   *metrics_token = getenv("PONTE_METRICS_TOKEN_FILE");
	int64_t threads = cfg.threads;
	const cli_opt opts[] = {
		CLI_TEXT("db", &db),
		CLI_TEXT("listen", &cfg.listen),
		CLI_WHOLE("threads", &threads, 1, 256, "--threads must be a number from 1 to 256"),
		CLI_TEXT("key", &key),
		CLI_TEXT("files", &files),
		CLI_TEXT("public-url", &public_url),
		CLI_TEXT("backup-dir", &backup_dir),
		CLI_TEXT("backup-key", &backup_key),
		CLI_TEXT("metrics-token-file", &metrics_token),
		CLI_TEXT("trusted-proxy", &cfg.trusted_proxies),
	};
	int prc = cli_parse("serve", argc, argv, opts, ARRAY_LEN(opts), NULL);
	if (prc)
		return prc;
	cfg.threads = (unsigned)threads;
	const char *path = cli_db_path("serve", db);
	if (!path)
		return EXIT_USAGE;
	char host[128];
	uint16_t port;
	if (http_parse_listen(cfg.listen, host, sizeof(host), &port))
		return cli_usage_error("serve", "--listen must be ADDR:PORT, e.g. 127.0.0.1:8080");

	char err[512];
	int rc = app_load_resources(err, sizeof(err));
	if (rc)
		return cli_fail("embedded resources are broken: %s", err);
	store *s;
	/* A PostgreSQL URL is not a path: its files folder is given (app_init() refuses to
	 * start without one); an SQLite file's is PATH.files. */
	if ((rc = cli_store_open("serve", path, files, &s)))
		return rc;
	char key_path[4096];
	keys_path_for(key, path, key_path, sizeof(key_path));
	if (crypto_init()) {
		store_close(s);
		return cli_fail("cannot initialise libsodium");
	}
	/* An upgrade only after a backup of the database as it is. */
	if ((rc = cli_upgrade_gate("serve", s, key_path, backup_dir, backup_key))) {
		store_close(s);
		return rc;
	}
	store_migration_report report;
	if (store_migrate(s, &report)) {
		store_close(s);
		return cli_fail("%s", report.message);
	}
	crypto_keyring *keys;
	if (keys_load(s, key_path, &keys, err, sizeof(err)) != 0) {
		store_close(s);
		return cli_fail("%s", err);
	}

	curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread: delivery to peers */
	/* Block the stop signals before any thread starts, so workers inherit the mask. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	app a;
	rc = app_init(&a, s, keys, err, sizeof(err));
	if (!rc && metrics_token && *metrics_token) {
		char token[256];
		if (cli_read_secret_file(metrics_token, token, sizeof(token)) != EXIT_OK ||
		    strlen(token) < 16) {
			snprintf(err, sizeof(err), "%s must hold a token of at least 16 characters",
				 metrics_token);
			rc = PONTE_EINVAL;
		} else {
			crypto_token_hash(token, a.svc.metrics_token_hash);
			a.svc.metrics_token_set = true;
		}
		crypto_wipe(token, sizeof(token));
	}
	if (!rc)
		warn_about_exposed_files(path, a.svc.files_dir);
	/* Behind a TLS proxy: cookies get Secure, responses get Strict-Transport-Security. */
	a.http.tls = public_url && strncmp(public_url, "https://", 8) == 0;
	/* This instance's identity for peers, and the address they deliver to. */
	keyed_store env = { s, keys };
	if (!rc && (rc = trm_identity_ensure(&env)) != 0)
		snprintf(err, sizeof(err), "cannot create the instance's identity: %s",
			 ponte_strerror(rc));
	if (!rc && public_url && *public_url && trm_identity_set_url(s, public_url) != 0)
		log_msg(LOG_WARN, "trm_url_refused",
			"--public-url is not an address peers may deliver to: " TRM_URL_RULE);
	/* Cases registered before the name keys existed get theirs before anyone searches. */
	int64_t keyed = 0;
	if (!rc && case_name_keys_fill(&env, 500, &keyed) != 0)
		log_msg(LOG_ERROR, "name_keys_fill_failed",
			"some cases could not be given their name keys: a search may miss them");
	if (keyed) {
		char keyed_fields[64];
		snprintf(keyed_fields, sizeof(keyed_fields), ",\"cases\":%lld", (long long)keyed);
		log_event(LOG_INFO, "name_keys_filled", keyed_fields);
	}
	if (!rc)
		rc = app_start(&a, &cfg, err, sizeof(err));
	trm_sender *sender = NULL;
	if (!rc && (rc = trm_sender_start(&env, &sender)) != 0)
		snprintf(err, sizeof(err), "cannot start the sender of transnational messages");
	if (rc) {
		app_release(&a);
		crypto_keyring_free(keys);
		store_close(s);
		return cli_fail("%s", err);
	}
	char fields[256];
	snprintf(fields, sizeof(fields),
		 ",\"address\":\"%s\",\"port\":%u,\"threads\":%u,\"version\":\"%s\"", host,
		 (unsigned)http_server_port(a.server), cfg.threads, PONTE_VERSION);
	log_event(LOG_INFO, "listening", fields);

	int sig = wait_for_stop_signal(&stop);
	snprintf(fields, sizeof(fields), ",\"signal\":\"%s\"",
		 sig == SIGINT ? "SIGINT" : "SIGTERM");
	log_event(LOG_INFO, "stopping", fields);
	trm_sender_stop(sender);
	unsigned cut = app_stop(&a);
	rc = store_checkpoint(s);
	store_close(s);
	app_release(&a);
	crypto_keyring_free(keys);
	snprintf(fields, sizeof(fields), ",\"requests_cut_off\":%u,\"checkpoint\":\"%s\"", cut,
		 rc ? "failed" : "ok");
	log_event(rc ? LOG_ERROR : LOG_INFO, "stopped", fields);
	return rc ? EXIT_FAIL : EXIT_OK;
}
