/* The ponte command as an operator meets it: exit codes, messages, files left untouched. */
#include "testutil.h"

#include <arpa/inet.h>
#include <libpq-fe.h> /* a database of its own for serve on PostgreSQL */
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *bin(void)
{
	const char *b = getenv("PONTE_BIN");
	return b && *b ? b : "build/ponte";
}

static char out[65536], err[65536];

static void slurp(const char *path, char *dst, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t got = f ? fread(dst, 1, n - 1, f) : 0;
	dst[got] = '\0';
	if (f)
		fclose(f);
}

/* Run "ponte ARGS" (a shell fragment) with an optional environment prefix. The output files
 * carry the process number, so that two runs of the suite never read each other's output. */
static int run(const char *env, const char *args)
{
	char cmd[4400], o[64], e[64];
	snprintf(o, sizeof(o), "/tmp/ponte-cli-out.%d", (int)getpid());
	snprintf(e, sizeof(e), "/tmp/ponte-cli-err.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "%s %s %s >%s 2>%s </dev/null", env ? env : "", bin(), args, o,
		 e);
	int st = system(cmd);
	slurp(o, out, sizeof(out));
	slurp(e, err, sizeof(err));
	remove(o);
	remove(e);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void version_and_help(void **state)
{
	(void)state;
	assert_int_equal(run(NULL, "version"), 0);
	assert_non_null(strstr(out, "ponte " PONTE_VERSION));
	assert_int_equal(run(NULL, "--version"), 0);
	assert_non_null(strstr(out, "ponte " PONTE_VERSION));
	assert_int_equal(run(NULL, "help"), 0);
	assert_non_null(strstr(out, "init"));
	assert_non_null(strstr(out, "serve"));
	assert_non_null(strstr(out, "migrate"));
	const char *cmds[] = { "init", "migrate", "serve", "version", "help",
			       "org",  "user",    "role",  "audit",   "keys" };
	for (size_t i = 0; i < ARRAY_LEN(cmds); i++) {
		char args[64];
		snprintf(args, sizeof(args), "%s --help", cmds[i]);
		assert_int_equal(run(NULL, args), 0);
		assert_non_null(strstr(out, "usage: ponte"));
	}
	assert_int_equal(run(NULL, "help serve"), 0);
	assert_non_null(strstr(out, "--listen"));
}

static void usage_errors_exit_2_with_one_clear_line(void **state)
{
	(void)state;
	assert_int_equal(run(NULL, ""), 2);
	assert_int_equal(run(NULL, "frobnicate"), 2);
	assert_non_null(strstr(err, "unknown command \"frobnicate\""));
	assert_int_equal(run(NULL, "init --bogus"), 2);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(run("PONTE_DB=", "init"), 2);
	assert_non_null(strstr(err, "--db PATH or set PONTE_DB"));
	assert_int_equal(run(NULL, "init --db /tmp/x.db --country portugal"), 2);
	assert_int_equal(run(NULL, "serve --db /tmp/x.db --listen nonsense"), 2);
	assert_int_equal(run(NULL, "serve --db /tmp/x.db --threads 0"), 2);
	assert_int_equal(run(NULL, "version extra"), 2);
	assert_int_equal(run(NULL, "help nope"), 2);
}

static void init_creates_and_refuses_to_overwrite(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[1024];
	snprintf(args, sizeof(args), "init --db %s/p.db --name 'Agência X' --country PT", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "created"));
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "already a Ponte database"));
	/* One line on stderr. */
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
	/* A file that is not ours is left exactly as it was. */
	char *text = test_path(dir, "notes.txt");
	FILE *f = fopen(text, "w");
	fputs("victim list - do not delete\n", f);
	fclose(f);
	snprintf(args, sizeof(args), "init --db %s", text);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "not a Ponte database"));
	char back[128];
	slurp(text, back, sizeof(back));
	assert_string_equal(back, "victim list - do not delete\n");
	snprintf(args, sizeof(args), "init --db %s/missing/p.db", dir);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "does not exist"));
	/* PONTE_DB is honoured. */
	char env[512];
	snprintf(env, sizeof(env), "PONTE_DB=%s/env.db", dir);
	assert_int_equal(run(env, "init"), 0);
	assert_int_equal(run(env, "migrate"), 0);
	assert_non_null(strstr(out, "0 migrations applied"));
	free(text);
	test_rmtree(dir);
}

static void serve_refuses_missing_or_foreign_databases(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[1024];
	snprintf(args, sizeof(args), "serve --db %s/none.db --listen 127.0.0.1:0", dir);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "ponte init --db"));
	snprintf(args, sizeof(args), "migrate --db /etc/hostname");
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "not a Ponte database"));
	test_rmtree(dir);
}

/* Start serve, wait for its "listening" line, send SIGTERM, expect exit 0 and a clean WAL. */
static void serve_starts_fast_and_stops_cleanly_on_sigterm(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[1024];
	snprintf(args, sizeof(args), "init --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	char *log = test_path(dir, "log");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char db[512];
		snprintf(db, sizeof(db), "%s/p.db", dir);
		FILE *f = freopen(log, "w", stderr);
		(void)f;
		execl(bin(), "ponte", "serve", "--db", db, "--listen", "127.0.0.1:0", (char *)NULL);
		_exit(127);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char text[8192] = "";
	for (int i = 0; i < 400 && !strstr(text, "\"listening\""); i++) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		slurp(log, text, sizeof(text));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(strstr(text, "\"listening\""));
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* "Well under a second" even under sanitizers on a busy 2-core machine. */
	assert_true(ms < 1000.0);
	assert_int_equal(kill(pid, SIGTERM), 0);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	slurp(log, text, sizeof(text));
	assert_non_null(strstr(text, "\"event\":\"stopped\""));
	assert_non_null(strstr(text, "\"checkpoint\":\"ok\""));
	char wal[512];
	snprintf(wal, sizeof(wal), "%s/p.db-wal", dir);
	struct stat sb;
	assert_true(stat(wal, &sb) != 0 || sb.st_size == 0);
	free(log);
	test_rmtree(dir);
}

/* `ponte serve --db DB --listen LISTEN` in the background, its stderr in log; returns once it
 * logged "listening" (or failed the test). */
static pid_t serve_in_background(const char *db, const char *listen, const char *log)
{
	remove(log); /* a "listening" line of an earlier run must not be taken for this one's */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f = freopen(log, "w", stderr);
		f = freopen("/dev/null", "w", stdout);
		(void)f;
		execl(bin(), "ponte", "serve", "--db", db, "--listen", listen, (char *)NULL);
		_exit(127);
	}
	char text[8192] = "";
	for (int i = 0; i < 1000 && !strstr(text, "\"listening\""); i++) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		slurp(log, text, sizeof(text));
	}
	if (!strstr(text, "\"listening\"")) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("serve did not start: %s", text);
	}
	return pid;
}

static void stop_serve(pid_t pid)
{
	int st;
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* A free loopback port: bound, read, released. */
static unsigned free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* GET /healthz over a plain socket: the status, or 0. */
static int healthz_status(const char *listen)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port =
				     htons((uint16_t)strtoul(strchr(listen, ':') + 1, NULL, 10)) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	char answer[256] = "";
	const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    send(fd, req, sizeof(req) - 1, 0) == (ssize_t)(sizeof(req) - 1)) {
		ssize_t n = recv(fd, answer, sizeof(answer) - 1, MSG_WAITALL);
		answer[n > 0 ? n : 0] = '\0';
	}
	close(fd);
	return strncmp(answer, "HTTP/1.1 ", 9) == 0 ? (int)strtol(answer + 9, NULL, 10) : 0;
}

/* Two servers on one port would split the traffic between them (each request going to either,
 * with its own caches and sender): the second must refuse to start. */
static void a_second_serve_on_a_port_in_use_exits_1(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[1024], db[512], listen[64];
	snprintf(db, sizeof(db), "%s/p.db", dir);
	snprintf(args, sizeof(args), "init --db %s", db);
	assert_int_equal(run(NULL, args), 0);
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", free_port());
	char *log = test_path(dir, "log");
	pid_t first = serve_in_background(db, listen, log);
	/* The second, on the same port: it must fail at once, not serve (timeout says 124). */
	snprintf(args, sizeof(args), "serve --db %s --listen %s", db, listen);
	int second = run("timeout 10", args);
	/* The first still answers, every time. */
	int answers = 0;
	for (int i = 0; i < 5; i++)
		answers += healthz_status(listen) == 200;
	stop_serve(first); /* before any assertion, so a failure leaves no server behind */
	assert_int_equal(second, 1);
	assert_non_null(strstr(err, "already in use"));
	assert_non_null(strstr(err, listen));
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1); /* one line */
	assert_int_equal(answers, 5);
	/* Once it is gone, the port is free again at once (SO_REUSEADDR). */
	first = serve_in_background(db, listen, log);
	stop_serve(first);
	free(log);
	test_rmtree(dir);
}

/* The database holds victims' data: whatever the operator's umask, nobody else may read it. */
static void the_database_and_its_files_are_private_and_exposure_is_warned(void **state)
{
	(void)state;
	mode_t old = umask(022); /* a common default: files 0644, folders 0755 */
	char *dir = test_tmpdir(), args[1024], db[512], p[600];
	snprintf(db, sizeof(db), "%s/p.db", dir);
	snprintf(args, sizeof(args), "init --db %s", db);
	assert_int_equal(run(NULL, args), 0);
	struct stat sb;
	assert_int_equal(stat(db, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char *log = test_path(dir, "log");
	pid_t pid = serve_in_background(db, "127.0.0.1:0", log);
	/* While it serves: the write-ahead log, its index, the files folder and the spool. */
	const char *files[] = { "-wal",        "-shm", ".files", ".files/spool", ".files/knowledge",
				".files/cases" };
	unsigned modes[ARRAY_LEN(files)];
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		snprintf(p, sizeof(p), "%s%s", db, files[i]);
		modes[i] = stat(p, &sb) == 0 ? (unsigned)(sb.st_mode & 0777) : 01000;
	}
	char text[16384];
	slurp(log, text, sizeof(text));
	stop_serve(pid);
	for (size_t i = 0; i < ARRAY_LEN(files); i++)
		if (modes[i] != (i < 2 ? 0600u : 0700u))
			fail_msg("%s%s is %04o", db, files[i], modes[i]);
	assert_null(strstr(text, "readable_by_others"));
	/* An installation made before (0644, 0755) is told at every start. */
	assert_int_equal(chmod(db, 0644), 0);
	snprintf(p, sizeof(p), "%s.files", db);
	assert_int_equal(chmod(p, 0755), 0);
	pid = serve_in_background(db, "127.0.0.1:0", log);
	slurp(log, text, sizeof(text));
	stop_serve(pid);
	const char *warn = strstr(text, "\"event\":\"readable_by_others\"");
	assert_non_null(warn);
	assert_non_null(strstr(text, "\"mode\":\"0644\""));
	assert_non_null(strstr(text, "chmod 600"));
	assert_non_null(strstr(text, "\"mode\":\"0755\""));
	assert_non_null(strstr(text, "chmod 700"));
	free(log);
	test_rmtree(dir);
	umask(old);
}

/* One statement on the test server's maintenance database (PONTE_TEST_PG). */
static void pg_admin(const char *sql)
{
	PGconn *pg = PQconnectdb(getenv("PONTE_TEST_PG"));
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	PGresult *r = PQexec(pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(pg));
	PQclear(r);
	PQfinish(pg);
}

/* A PostgreSQL URL is not a path: its attachments, knowledge files and releases go to the
 * folder --files names (or PONTE_FILES), made private at start; without one serve says what
 * to give, and an SQLite file refuses one (its files stay beside it, where backups look). */
static void serve_on_postgresql_keeps_its_files_in_the_folder_given(void **state)
{
	(void)state;
	const char *server = getenv("PONTE_TEST_PG");
	if (!server || !*server)
		skip(); /* make check starts a server (tests/pg/cluster.sh) */
	pg_admin("DROP DATABASE IF EXISTS ponte_t_cli_files WITH (FORCE)");
	pg_admin("CREATE DATABASE ponte_t_cli_files");
	const char *q = strchr(server, '?');
	char *dir = test_tmpdir(), url[1024], key[600], files[600], args[4096], log[600];
	snprintf(url, sizeof(url), "postgresql:///ponte_t_cli_files%s", q ? q : "");
	snprintf(key, sizeof(key), "%s/pg.key", dir);
	snprintf(files, sizeof(files), "%s/files", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(args, sizeof(args), "init --db '%s' --key %s", url, key);
	assert_int_equal(run(NULL, args), 0);
	/* Without a folder: refused at start, saying what to give. */
	snprintf(args, sizeof(args), "serve --db '%s' --key %s --listen 127.0.0.1:0", url, key);
	assert_int_equal(run("timeout 20", args), 1);
	assert_non_null(strstr(err, "--files DIR"));
	assert_non_null(strstr(err, "PONTE_FILES"));
	/* With one: it serves, and the folder and its parts exist, private. */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f = freopen(log, "w", stderr);
		f = freopen("/dev/null", "w", stdout);
		(void)f;
		execl(bin(), "ponte", "serve", "--db", url, "--key", key, "--files", files,
		      "--listen", "127.0.0.1:0", (char *)NULL);
		_exit(127);
	}
	char text[8192] = "";
	for (int i = 0; i < 2000 && !strstr(text, "\"listening\""); i++) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		slurp(log, text, sizeof(text));
	}
	const char *parts[] = { "", "/spool", "/knowledge", "/cases" };
	unsigned modes[ARRAY_LEN(parts)];
	for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
		char p[700];
		struct stat sb;
		snprintf(p, sizeof(p), "%s%s", files, parts[i]);
		modes[i] = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode) ? (unsigned)(sb.st_mode & 0777)
								    : 01000;
	}
	if (!strstr(text, "\"listening\"")) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("serve did not start: %s", text);
	}
	stop_serve(pid);
	for (size_t i = 0; i < ARRAY_LEN(parts); i++)
		if (modes[i] != 0700u)
			fail_msg("%s%s is %04o", files, parts[i], modes[i]);
	/* An SQLite file keeps its files beside it: a folder given, on the command line or in
	 * the environment, is refused. */
	snprintf(args, sizeof(args), "init --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "serve --db %s/p.db --files %s --listen 127.0.0.1:0", dir,
		 files);
	assert_int_equal(run("timeout 20", args), 2);
	assert_non_null(strstr(err, "PATH.files"));
	char env[700];
	snprintf(env, sizeof(env), "PONTE_FILES=%s timeout 20", files);
	snprintf(args, sizeof(args), "serve --db %s/p.db --listen 127.0.0.1:0", dir);
	assert_int_equal(run(env, args), 2);
	assert_non_null(strstr(err, "PATH.files"));
	pg_admin("DROP DATABASE ponte_t_cli_files WITH (FORCE)");
	test_rmtree(dir);
}

static void administrators_users_audit_and_keys(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[2048];
	snprintf(args, sizeof(args), "init --db %s/p.db --name 'ANLTP Niamey' --country NE", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "administrator: admin@ponte.invalid"));
	assert_non_null(strstr(out, "password: ")); /* generated, shown once */
	char key[600];
	snprintf(key, sizeof(key), "%s/p.db.key", dir);
	struct stat st;
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	snprintf(
	    args, sizeof(args),
	    "org add --db %s/p.db --code NE-NGO --name 'Aide aux victimes' --country NE --type NGO",
	    dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args),
		 "org add --db %s/p.db --code NE-NGO --name Again --country NE --type NGO", dir);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "already exists"));
	snprintf(args, sizeof(args),
		 "org add --db %s/p.db --code X --name X --country NE --type Church", dir);
	assert_int_equal(run(NULL, args), 1);
	char pw[600];
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	FILE *f = fopen(pw, "w");
	fputs("Sahel-river-bridge-42\n", f);
	fclose(f);
	snprintf(args, sizeof(args),
		 "user add --db %s/p.db --email Moussa@Example.NE --name 'Moussa I.' --org NE-NGO "
		 "--role case_worker --role supervisor --password-file %s --language fr",
		 dir, pw);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args),
		 "user add --db %s/p.db --email moussa@example.ne --name Other --org NE-NGO --role "
		 "case_worker --password-file %s",
		 dir, pw);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "already uses this e-mail"));
	snprintf(args, sizeof(args), "user lock --db %s/p.db --email moussa@example.ne", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "user list --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "moussa@example.ne"));
	assert_non_null(strstr(out, "locked"));
	assert_non_null(strstr(out, "[case_worker supervisor]"));
	snprintf(args, sizeof(args), "role list --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "case.proceedings.read"));
	snprintf(args, sizeof(args), "keys rotate --db %s/p.db --batch 1", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "key version 2"));

	snprintf(args, sizeof(args), "audit verify --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "audit trail intact"));
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s/p.db \"UPDATE audit_events SET outcome='failure' WHERE id=2\"", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "broken at event 2"));

	/* A key file others can read is refused, and so is a missing one. */
	chmod(key, 0644);
	snprintf(args, sizeof(args), "serve --db %s/p.db --listen 127.0.0.1:0", dir);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "chmod 600"));
	snprintf(args, sizeof(args), "user list --db %s/p.db --key %s/none.key", dir, dir);
	assert_int_equal(run(NULL, args), 1);
	/* --key points elsewhere (a key kept on another disk). */
	char moved[700];
	snprintf(moved, sizeof(moved), "%s/elsewhere.key", dir);
	assert_int_equal(rename(key, moved), 0);
	chmod(moved, 0600);
	snprintf(args, sizeof(args), "user list --db %s/p.db --key %s", dir, moved);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "serve --db %s/p.db --key %s --listen nonsense", dir, moved);
	assert_int_equal(run(NULL, args), 2); /* options parsed, listen refused */
	snprintf(args, sizeof(args),
		 "serve --db %s/p.db --key %s --public-url https://x.example --threads 0", dir,
		 moved);
	assert_int_equal(run(NULL, args), 2);
	/* Settings: in range or refused. */
	snprintf(args, sizeof(args),
		 "settings set --db %s/p.db --name session_idle_minutes --value 15", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args),
		 "settings set --db %s/p.db --name session_idle_minutes --value 0", dir);
	assert_int_equal(run(NULL, args), 1);
	snprintf(args, sizeof(args), "settings set --db %s/p.db --name bogus --value 1", dir);
	assert_int_equal(run(NULL, args), 1);
	snprintf(args, sizeof(args), "settings list --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "session_idle_minutes             15"));
	test_rmtree(dir);
}

/* A laptop with the key file is lost: the administrator makes a new key file, after which
 * only it opens the database (its values, its e-mail index), the old one opens nothing; the
 * wrong ways change nothing. */
static void replacing_the_master_key(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[2048], pw[600], oldk[600], newk[600], cmd[2048];
	snprintf(args, sizeof(args), "init --db %s/p.db --name 'ANLTP Niamey' --country NE", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "init --db %s/other.db --name Other --country NE", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	FILE *f = fopen(pw, "w");
	fputs("Sahel-river-bridge-42\n", f);
	fclose(f);
	snprintf(args, sizeof(args),
		 "org add --db %s/p.db --code NE-NGO --name Aide --country NE --type NGO", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args),
		 "user add --db %s/p.db --email Moussa@Example.NE --name 'Moussa I.' --org NE-NGO "
		 "--role case_worker --password-file %s",
		 dir, pw);
	assert_int_equal(run(NULL, args), 0);
	/* A retired data key too: it must not stay readable with the old file either. */
	snprintf(args, sizeof(args), "keys rotate --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(oldk, sizeof(oldk), "%s/p.db.key", dir);
	snprintf(newk, sizeof(newk), "%s/new.key", dir);
	snprintf(args, sizeof(args), "backup --db %s/p.db --out %s/before.pbk", dir, dir);
	assert_int_equal(run(NULL, args), 0);

	/* The wrong ways: no --new-key; another database's key file; a file already there. */
	snprintf(args, sizeof(args), "keys replace-master --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 2);
	assert_non_null(strstr(err, "--new-key"));
	snprintf(args, sizeof(args),
		 "keys replace-master --db %s/p.db --key %s/other.db.key "
		 "--new-key %s",
		 dir, dir, newk);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "does not open this database's keys"));
	assert_int_equal(access(newk, F_OK), -1); /* nothing made */
	f = fopen(newk, "w");
	fputs("precious\n", f);
	fclose(f);
	snprintf(args, sizeof(args), "keys replace-master --db %s/p.db --new-key %s", dir, newk);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "never written over"));
	slurp(newk, out, sizeof(out));
	assert_string_equal(out, "precious\n");
	remove(newk);
	/* The old file still opens everything after those. */
	snprintf(args, sizeof(args), "user list --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "moussa@example.ne"));

	snprintf(args, sizeof(args), "keys replace-master --db %s/p.db --new-key %s", dir, newk);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "no longer does"));
	struct stat st;
	assert_int_equal(stat(newk, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* The old file opens nothing; the new one everything, the e-mail index included. */
	snprintf(args, sizeof(args), "user list --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "does not open this database's keys"));
	snprintf(args, sizeof(args), "user list --db %s/p.db --key %s", dir, newk);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "moussa@example.ne"));
	assert_non_null(strstr(out, "Moussa I."));
	snprintf(args, sizeof(args),
		 "user add --db %s/p.db --key %s --email moussa@example.ne --name Again --org "
		 "NE-NGO --role case_worker --password-file %s",
		 dir, newk, pw);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "already uses this e-mail"));
	/* Every data key row, the retired one included, refuses the old file. */
	snprintf(args, sizeof(args), "keys rotate --db %s/p.db --key %s", dir, oldk);
	assert_int_equal(run(NULL, args), 1);
	snprintf(args, sizeof(args), "audit verify --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(cmd, sizeof(cmd),
		 "test \"$(sqlite3 %s/p.db \"SELECT count(*) FROM audit_events WHERE action = "
		 "'keys.replace_master' AND outcome = 'success'\")\" = 1",
		 dir);
	assert_int_equal(system(cmd), 0);
	/* A backup taken before restores with the old file only (docs/backup.md); one taken
	 * after, with the new one. */
	snprintf(args, sizeof(args), "restore --archive %s/before.pbk --db %s/r1.db --key %s", dir,
		 dir, newk);
	assert_int_equal(run(NULL, args), 1);
	snprintf(args, sizeof(args), "restore --archive %s/before.pbk --db %s/r2.db --key %s", dir,
		 dir, oldk);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "user list --db %s/r2.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "moussa@example.ne"));
	snprintf(args, sizeof(args), "backup --db %s/p.db --key %s --out %s/after.pbk", dir, newk,
		 dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "restore --archive %s/after.pbk --db %s/r3.db --key %s", dir,
		 dir, oldk);
	assert_int_equal(run(NULL, args), 1);
	snprintf(args, sizeof(args), "restore --archive %s/after.pbk --db %s/r4.db --key %s", dir,
		 dir, newk);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "user list --db %s/r4.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "moussa@example.ne"));
	/* Rotation and a second replacement go on from the new file. */
	snprintf(args, sizeof(args), "keys rotate --db %s/p.db --key %s", dir, newk);
	assert_int_equal(run(NULL, args), 0);
	char newer[700];
	snprintf(newer, sizeof(newer), "%s/newer.key", dir);
	snprintf(args, sizeof(args), "keys replace-master --db %s/p.db --key %s --new-key %s", dir,
		 newk, newer);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "user list --db %s/p.db --key %s", dir, newer);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "moussa@example.ne"));
	snprintf(args, sizeof(args),
		 "user add --db %s/p.db --key %s --email MOUSSA@example.ne --name Again --org "
		 "NE-NGO --role case_worker --password-file %s",
		 dir, newer, pw);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "already uses this e-mail"));
	snprintf(args, sizeof(args), "user list --db %s/p.db --key %s", dir, newk);
	assert_int_equal(run(NULL, args), 1);
	test_rmtree(dir);
}

/* ponte demo: accounts for every role in seven countries, N cases, the same for one seed. */
static void demo_data_is_complete_and_reproducible(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[2048], cmd[2048];
	for (int k = 0; k < 2; k++) {
		snprintf(args, sizeof(args), "init --db %s/d%d.db", dir, k);
		assert_int_equal(run(NULL, args), 0);
		snprintf(args, sizeof(args),
			 "demo --db %s/d%d.db --cases 60 --seed 42 --password Demo-password-2026x "
			 "--accounts-json %s/a%d.json",
			 dir, k, dir, k);
		assert_int_equal(run(NULL, args), 0);
		assert_non_null(strstr(out, "60 cases"));
	}
	/* 7 countries x 11 accounts (10 roles and a shelter supervisor) + a regional analyst. */
	snprintf(cmd, sizeof(cmd),
		 "test $(grep -c '\"email\"' %s/a0.json) -eq 78 && for c in NE SN ML NG PT ES IT; "
		 "do grep -q \"\\\"country\\\":\\\"$c\\\"\" %s/a0.json || exit 1; done",
		 dir, dir);
	char script[600], run_script[700];
	snprintf(script, sizeof(script), "%s/check.sh", dir);
	FILE *sh = fopen(script, "w");
	fprintf(sh, "%s\n", cmd);
	fclose(sh);
	snprintf(run_script, sizeof(run_script), "sh %s", script);
	assert_int_equal(system(run_script), 0);
	/* The same seed gives the same cases (apart from encryption nonces and times). */
	snprintf(cmd, sizeof(cmd),
		 "cmp -s <(sqlite3 %s/d0.db 'SELECT country, status, phase, gender, birthdate, "
		 "exploitation FROM cases ORDER BY id') "
		 "<(sqlite3 %s/d1.db 'SELECT country, status, phase, gender, birthdate, "
		 "exploitation FROM cases ORDER BY id')",
		 dir, dir);
	char bash[2200];
	snprintf(bash, sizeof(bash), "bash -c \"%s\"", cmd);
	assert_int_equal(system(bash), 0);
	/* A second run adds cases to the same accounts. */
	snprintf(args, sizeof(args), "demo --db %s/d0.db --cases 5 --password Demo-password-2026x",
		 dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "demo --db %s/d0.db --password short", dir);
	assert_int_equal(run(NULL, args), 1);
	snprintf(args, sizeof(args), "demo --db %s/d0.db --cases -1", dir);
	assert_int_equal(run(NULL, args), 2);
	test_rmtree(dir);
}

#define SAMPLE "tests/data/ctdc_format_synthetic_sample.csv"

/* Write the sample with one line changed by sed expression expr into dir/name. */
static void variant(const char *dir, const char *name, const char *expr)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "sed -e '%s' %s > %s/%s", expr, SAMPLE, dir, name);
	assert_int_equal(system(cmd), 0);
}

static void observatory_imports_are_checked_whole_and_counted_exactly(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[1024];
	snprintf(args, sizeof(args), "init --db %s/o.db --demo", dir);
	assert_int_equal(run(NULL, args), 0);
#define IMPORT "obs import --db %s/o.db --format ctdc --provider PT-OTSH %s%s"
	snprintf(args, sizeof(args), IMPORT, dir, "", SAMPLE);
	assert_int_equal(run(NULL, args), 0);
	assert_string_equal(out, "{\"read\":1000,\"imported\":1000,\"rejected\":0}\n");
	/* The same file again adds nothing. */
	assert_int_equal(run(NULL, args), 0);
	assert_string_equal(out, "{\"read\":1000,\"imported\":0,\"rejected\":0}\n");
	/* Exact counts (the sample's own figures), missing as its own category. */
	snprintf(args, sizeof(args),
		 "obs stats --db %s/o.db --by gender --exact --where provider=PT-OTSH", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_string_equal(out, "gender,count,flag\nfemale,418,\nmale,200,\nmissing,199,\n"
				 "transgender_nonconforming,183,\n"
				 "# Exact counts, not protected: an internal view, not for "
				 "publication.\n");
	/* The role of the countries: domestic plus transnational plus missing is every record. */
	snprintf(args, sizeof(args),
		 "obs stats --db %s/o.db --by flow --exact --format json --where provider=PT-OTSH",
		 dir);
	assert_int_equal(run(NULL, args), 0);
	{
		static const char *const keys[] = { "\"domestic\",\"count\":",
						    "\"transnational\",\"count\":",
						    "\"missing\",\"count\":" };
		long v[3] = { 0 };
		for (int k = 0; k < 3; k++) {
			const char *p = strstr(out, keys[k]);
			v[k] = p ? strtol(p + strlen(keys[k]), NULL, 10) : 0;
		}
		long d = v[0], t = v[1], m = v[2];
		assert_true(t > 0);
		assert_int_equal(d + t + m, 1000);
	}
	/* By default counts are perturbed, small ones withheld, and the output says so. */
	snprintf(args, sizeof(args),
		 "obs stats --db %s/o.db --by citizenship,gender --where source=hotline", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "citizenship,gender,count,flag\n"));
	assert_non_null(strstr(out, ",<5,c\n"));
	assert_non_null(strstr(out, "\n# Counts perturbed by the cell key method"));
	snprintf(args, sizeof(args), "obs stats --db %s/o.db --by religion", dir);
	assert_int_equal(run(NULL, args), 2);
	assert_non_null(strstr(err, "unknown dimension \"religion\""));
	/* Each bad file is refused whole, with the line and column of every problem. */
	const struct {
		const char *name, *expr, *message;
	} bad[] = {
		{ "semicolons.csv", "s/,/;/g", "separated by semicolons" },
		{ "unknown.csv", "1s/gender/sex/", ":1:sex: not a column" },
		{ "duplicated.csv", "1s/citizenship/gender/",
		  ":1:gender: this column appears twice" },
		{ "latin1.csv", "5s/^/\\xe9/", ":5:yearOfRegistration: not valid UTF-8" },
		{ "country.csv", "7s/^\\(\\([^,]*,\\)\\{7\\}\\)[^,]*/\\1XY/",
		  ":7:citizenship: not an ISO 3166 country code" },
		{ "old.csv", "3s/^[0-9]*,/1850,/", ":3:yearOfRegistration:" },
		{ "future.csv", "4s/^[0-9]*,/2999,/", ":4:yearOfRegistration:" },
		{ "flag.csv", "9s/,0,/,yes,/", ":9:" },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		variant(dir, bad[i].name, bad[i].expr);
		char path[600];
		snprintf(path, sizeof(path), "%s/%s", dir, bad[i].name);
		snprintf(args, sizeof(args), IMPORT, dir, "", path);
		if (run(NULL, args) != 1 || !strstr(err, bad[i].message))
			fail_msg("%s: %s", bad[i].name, err);
	}
	/* Nothing of them was written. */
	snprintf(args, sizeof(args),
		 "obs stats --db %s/o.db --by source --exact --format json --where "
		 "provider=PT-OTSH",
		 dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "\"records\":1000,"));
	/* --skip-invalid writes the valid records and reports the others. */
	char path[600];
	snprintf(path, sizeof(path), "%s/country.csv", dir);
	snprintf(args, sizeof(args), IMPORT, dir, "--skip-invalid ", path);
	assert_int_equal(run(NULL, args), 0);
	assert_string_equal(out, "{\"read\":1000,\"imported\":999,\"rejected\":1}\n");
	assert_non_null(strstr(err, ":7:citizenship:"));
	/* Exported and imported again (as another provider), the records count the same. */
	snprintf(args, sizeof(args),
		 "obs export --db %s/o.db --provider PT-OTSH > %s/exported.csv 2>/dev/null; "
		 "true",
		 dir, dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(path, sizeof(path), "%s/exported.csv", dir);
	snprintf(args, sizeof(args), "obs import --db %s/o.db --format ctdc --provider PT-POL %s",
		 dir, path);
	assert_int_equal(run(NULL, args), 0);
	/* The sample and the 999 valid records of country.csv. */
	assert_string_equal(out, "{\"read\":1999,\"imported\":1999,\"rejected\":0}\n");
	const char *dims[] = { "year",         "source",   "gender",
			       "age_band",     "majority", "citizenship",
			       "exploitation", "control",  "country_of_exploitation" };
	for (size_t i = 0; i < ARRAY_LEN(dims); i++) {
		static char first[sizeof(out)];
		snprintf(args, sizeof(args),
			 "obs stats --db %s/o.db --by %s --exact --where provider=PT-OTSH", dir,
			 dims[i]);
		assert_int_equal(run(NULL, args), 0);
		snprintf(first, sizeof(first), "%s", out);
		snprintf(args, sizeof(args),
			 "obs stats --db %s/o.db --by %s --exact --where provider=PT-POL", dir,
			 dims[i]);
		assert_int_equal(run(NULL, args), 0);
		if (strcmp(first, out) != 0)
			fail_msg("%s differs after export and import:\n%s\n%s", dims[i], first,
				 out);
	}
	/* Indicators: 2015 has 99 records in the sample (and 99 more of country.csv and the
	 * export); an estimate gives the identification ratio. */
	snprintf(args, sizeof(args), "obs indicators --db %s/o.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "year,records,children_pct,forced_labour_pct,estimate,"
				    "identified_pct\n"));
	{
		/* The figure of `obs stats` for the same records: 396, perturbed by at most 3. */
		const char *p = strstr(out, "\n2015,");
		assert_non_null(p);
		long published = strtol(p + 6, NULL, 10);
		assert_true(published >= 393 && published <= 399);
		snprintf(args, sizeof(args), "obs stats --db %s/o.db --by year --format json", dir);
		assert_int_equal(run(NULL, args), 0);
		char expect[64];
		snprintf(expect, sizeof(expect), "{\"year\":\"2015\",\"count\":%ld}", published);
		assert_non_null(strstr(out, expect));
		snprintf(args, sizeof(args), "obs stats --db %s/o.db --by year --exact", dir);
		assert_int_equal(run(NULL, args), 0);
		assert_non_null(strstr(out, "\n2015,396,\n"));
	}
	snprintf(args, sizeof(args),
		 "obs estimate --db %s/o.db --country ES --year 2015 --value 400 --source survey",
		 dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "obs indicators --db %s/o.db --country ES --suppress 0", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, ",400,"));
	snprintf(args, sizeof(args), "obs estimate --db %s/o.db --country XQ --year 2015 --value 4",
		 dir);
	assert_int_equal(run(NULL, args), 1);
	/* The budget is an administrator's decision, with a reason, audited: an analyst is
	 * refused (and that is audited too), a change without a reason or a decider is not a
	 * command at all. */
#define BUDGET "obs budget --db %s/o.db --provider PT-OTSH --epsilon 1"
	snprintf(args, sizeof(args), BUDGET, dir);
	assert_int_equal(run(NULL, args), 2);
	snprintf(args, sizeof(args), BUDGET " --as admin@demo.ponte.example", dir);
	assert_int_equal(run(NULL, args), 2);
	snprintf(args, sizeof(args), BUDGET " --as admin@demo.ponte.example --reason short", dir);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "the reason must be 10 to 500 characters"));
	snprintf(args, sizeof(args),
		 BUDGET " --as analyst@demo.ponte.example --reason 'I want more releases'", dir);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "may not change a privacy budget"));
	snprintf(args, sizeof(args),
		 BUDGET " --as admin@demo.ponte.example --reason 'Board decision 2026-03: one "
			"release a year'",
		 dir);
	assert_int_equal(run(NULL, args), 0);
	assert_string_equal(out,
			    "{\"provider\":\"PT-OTSH\",\"budget\":1,\"spent\":0,\"left\":1}\n");
	snprintf(args, sizeof(args), "obs budget --db %s/o.db --provider PT-OTSH --history", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "\"before\":3,\"budget\":1,"));
	assert_non_null(strstr(out, "\"reason\":\"Board decision 2026-03: one release a year\"}"));
	snprintf(args, sizeof(args),
		 "sqlite3 %s/o.db \"SELECT outcome FROM audit_events WHERE action = "
		 "'obs.budget.change' ORDER BY id\" > %s/audit.txt",
		 dir, dir);
	assert_int_equal(system(args), 0);
	char audit[256];
	snprintf(args, sizeof(args), "%s/audit.txt", dir);
	slurp(args, audit, sizeof(audit));
	assert_string_equal(audit, "denied\nsuccess\n");
	/* No other way: the table refuses a budget without a recorded decision. */
	snprintf(args, sizeof(args),
		 "sqlite3 %s/o.db \"UPDATE obs_privacy_budgets SET epsilon = 50\" 2>/dev/null",
		 dir);
	assert_int_not_equal(system(args), 0);
	/* Releases: a private one within the budget, then one beyond it, refused. */
	snprintf(args, sizeof(args),
		 "obs release --db %s/o.db --method dp --epsilon 0.7 --by year,gender --from 2012 "
		 "--to 2021",
		 dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "{\"version\":1,\"method\":\"dp\","));
	assert_non_null(strstr(out, "\"epsilon_left\":0.3}"));
	assert_int_equal(run(NULL, args), 1); /* 0.7 more is beyond the budget */
	snprintf(args, sizeof(args), "obs release --db %s/o.db --method microdata --k 10", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "\"version\":2,\"method\":\"microdata\""));
	snprintf(args, sizeof(args), "obs releases --db %s/o.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "v2\tmicrodata\t"));
	snprintf(args, sizeof(args), "obs release --db %s/o.db --method magic", dir);
	assert_int_equal(run(NULL, args), 2);
	snprintf(args, sizeof(args), "obs release --db %s/o.db --method dp", dir);
	assert_int_equal(run(NULL, args), 2); /* no epsilon */
	snprintf(args, sizeof(args), "obs release --db %s/o.db --method tables --by religion", dir);
	assert_int_equal(run(NULL, args), 1);
	/* DP-only mode: no published count but private releases; the operator's exact view
	 * stays. */
	snprintf(args, sizeof(args), "settings set --db %s/o.db --name obs_dp_only --value 1", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "obs stats --db %s/o.db --by gender", dir);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "DP-only mode"));
	snprintf(args, sizeof(args), "obs stats --db %s/o.db --by gender --exact", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "obs indicators --db %s/o.db", dir);
	assert_int_equal(run(NULL, args), 1);
	snprintf(args, sizeof(args), "obs release --db %s/o.db --method tables", dir);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "DP-only mode"));
	test_rmtree(dir);
}

/* The indicators are the published counts and say their method; a share of the records where
 * the majority is known would give away the number where it is not, so none is printed when
 * that number is withheld. Forty years of 25 records, 3 of each of the first thirty without a
 * majority: the perturbed count of those 3 is mostly 3 or 4, withheld. */
static void observatory_indicators_give_no_withheld_count_away(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[1024];
	snprintf(args, sizeof(args), "init --db %s/o.db --demo", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args),
		 "awk -F, -v OFS=, 'NR == 1 { print; next } NR <= 1001 { y = (NR - 2) %% 40; "
		 "$1 = 1980 + y; n[y]++; $5 = y < 30 && n[y] <= 3 ? \"\" : n[y] %% 4 ? \"Adult\" : "
		 "\"Minor\"; print }' %s > %s/years.csv",
		 SAMPLE, dir);
	assert_int_equal(system(args), 0);
	snprintf(args, sizeof(args),
		 "obs import --db %s/o.db --format ctdc --provider PT-OTSH %s/years.csv", dir, dir);
	assert_int_equal(run(NULL, args), 0);
	assert_string_equal(out, "{\"read\":1000,\"imported\":1000,\"rejected\":0}\n");
	snprintf(args, sizeof(args), "obs stats --db %s/o.db --by year,majority", dir);
	assert_int_equal(run(NULL, args), 0);
	static char table[sizeof(out)];
	snprintf(table, sizeof(table), "%s", out);
	snprintf(args, sizeof(args), "obs indicators --db %s/o.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "\n# Counts perturbed by the cell key method"));
	size_t shares = 0, withheld = 0;
	for (int y = 1980; y < 2020; y++) {
		char row[16], missing[32];
		snprintf(row, sizeof(row), "\n%d,", y);
		snprintf(missing, sizeof(missing), "\n%d,missing,<5,c\n", y);
		const char *p = strstr(out, row);
		assert_non_null(p);
		long records = strtol(p + 6, NULL, 10);
		assert_true(records >= 22 && records <= 28); /* 25, perturbed by at most 3 */
		const char *share = strchr(p + 6, ',') + 1;
		bool hidden = strstr(table, missing) != NULL;
		withheld += hidden;
		if (*share != ',') {
			shares++;
			if (hidden)
				fail_msg(
				    "%d: a share of the known records gives the withheld count "
				    "of the others away:%.40s",
				    y, p);
		}
	}
	assert_true(withheld >= 20);
	assert_true(shares >= 5); /* the last ten years: the majority of every record known */
	test_rmtree(dir);
}

/* HTCDS-named files: what the observatory exports it reads back the same; a file carrying
 * names is refused whole. */
static void observatory_htcds_files_round_trip_and_identifiers_are_refused(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[1024], path[600];
	snprintf(args, sizeof(args), "init --db %s/o.db --demo", dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), IMPORT, dir, "", SAMPLE);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args),
		 "obs export --db %s/o.db --format htcds --provider PT-OTSH > %s/h.csv "
		 "2>/dev/null; true",
		 dir, dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(path, sizeof(path), "%s/h.csv", dir);
	snprintf(args, sizeof(args), "obs import --db %s/o.db --format htcds --provider PT-POL %s",
		 dir, path);
	assert_int_equal(run(NULL, args), 0);
	assert_string_equal(out, "{\"read\":1000,\"imported\":1000,\"rejected\":0}\n");
	const char *dims[] = { "year",
			       "gender",
			       "age_band",
			       "majority",
			       "citizenship",
			       "exploitation",
			       "country_of_exploitation" };
	for (size_t i = 0; i < ARRAY_LEN(dims); i++) {
		static char first[sizeof(out)];
		snprintf(args, sizeof(args),
			 "obs stats --db %s/o.db --by %s --exact --where provider=PT-OTSH", dir,
			 dims[i]);
		assert_int_equal(run(NULL, args), 0);
		snprintf(first, sizeof(first), "%s", out);
		snprintf(args, sizeof(args),
			 "obs stats --db %s/o.db --by %s --exact --where provider=PT-POL", dir,
			 dims[i]);
		assert_int_equal(run(NULL, args), 0);
		if (strcmp(first, out) != 0)
			fail_msg("%s differs after the HTCDS export and import:\n%s\n%s", dims[i],
				 first, out);
	}
	/* Names, an unknown column: refused with every reason, nothing written. */
	snprintf(path, sizeof(path), "%s/names.csv", dir);
	FILE *f = fopen(path, "w");
	fputs("prs_FirstName,prs_Gender,cas_IncomingReferralDate,colour\n"
	      "Ana,Feminine,2021-03-04,blue\n",
	      f);
	fclose(f);
	snprintf(args, sizeof(args), "obs import --db %s/o.db --format htcds --provider PT-POL %s",
		 dir, path);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, ":1:prs_FirstName: this field identifies a person"));
	assert_non_null(strstr(err, ":1:colour: not a field of the HTCDS"));
	/* Ages from the birth date at registration; children; a value not in a list. */
	snprintf(path, sizeof(path), "%s/ages.csv", dir);
	f = fopen(path, "w");
	fputs("cas_IncomingReferralDate,prs_Birthdate,prs_Gender,vic_TraffickingStatus\n"
	      "2021-03-04,2005-03-05,Feminine,ActualVictimOfTrafficking\n"
	      "04/03/2021,1990-01-01,NonConforming,PossibleVictimOfTrafficking\n"
	      "2021-03-04,2022-01-01,Masculine,Maybe\n",
	      f);
	fclose(f);
	snprintf(args, sizeof(args),
		 "obs import --db %s/o.db --format htcds --provider PT-PROS --skip-invalid %s", dir,
		 path);
	assert_int_equal(run(NULL, args), 0);
	assert_string_equal(out, "{\"read\":3,\"imported\":2,\"rejected\":1}\n");
	assert_non_null(strstr(err, ":4:vic_TraffickingStatus: not a value of this field's list"));
	assert_non_null(strstr(err, ":4:prs_Birthdate: the birth date is after"));
	snprintf(args, sizeof(args),
		 "obs stats --db %s/o.db --by age_band,status --exact --where "
		 "provider=PT-PROS",
		 dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "age_band,status,count,flag\n30--38,presumed,1,\n"
				    "9--17,confirmed,1,\n#"));
	test_rmtree(dir);
}

/* ponte i18n: a pack loaded from the command line, refused with its lines, listed with its
 * versions, rolled back, withdrawn; the second language is a setting of shipped languages. */
static void language_packs_from_the_command_line(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), args[1024];
	snprintf(args, sizeof(args), "init --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	char *good = test_path(dir, "ha.po"), *bad = test_path(dir, "bad.po");
	FILE *f = fopen(good, "w");
	fputs("msgid \"\"\nmsgstr \"Language: ha\\nPlural-Forms: nplurals=2; plural=(n != 1);\\n"
	      "X-Ponte-Language-Name: Hausa\\n\"\n\nmsgid \"Home\"\nmsgstr \"Gida\"\n",
	      f);
	fclose(f);
	f = fopen(bad, "w");
	fputs("msgid \"\"\nmsgstr \"Language: wo\\n\"\n\nmsgid \"Home\"\nmsgstr "
	      "\"<b>K\xc3\xabr</b>\"\n",
	      f);
	fclose(f);
	snprintf(args, sizeof(args), "i18n load --db %s/p.db --file %s", dir, good);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "ha (Hausa) version 1: 1 of "));
	snprintf(args, sizeof(args), "i18n load --db %s/p.db --file %s", dir, bad);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "bad.po:1: A new language needs a Plural-Forms header."));
	assert_non_null(strstr(err, "bad.po:4: The translation has markup"));
	assert_non_null(strstr(err, "nothing changed"));
	snprintf(args, sizeof(args), "i18n load --db %s/p.db --file %s --lang wo", dir, good);
	assert_int_equal(run(NULL, args), 1);
	assert_non_null(strstr(err, "names another language"));
	snprintf(args, sizeof(args), "i18n load --db %s/p.db --file %s --lang ha", dir, good);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "version 2"));
	snprintf(args, sizeof(args), "i18n rollback --db %s/p.db --lang ha --version 7", dir);
	assert_int_equal(run(NULL, args), 1);
	snprintf(args, sizeof(args), "i18n rollback --db %s/p.db --lang ha --version 1", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "ha version 3"));
	snprintf(args, sizeof(args), "i18n list --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "ha   v3   rollback"));
	assert_non_null(strstr(out, "(current)  (words of v1)"));
	assert_non_null(strstr(out, "ha: 1 of "));
	snprintf(args, sizeof(args), "i18n withdraw --db %s/p.db --lang ha", dir);
	assert_int_equal(run(NULL, args), 0);
	assert_int_equal(run(NULL, args), 1);
	snprintf(args, sizeof(args), "settings set --db %s/p.db --name second_language --value fr",
		 dir);
	assert_int_equal(run(NULL, args), 0);
	snprintf(args, sizeof(args), "settings set --db %s/p.db --name second_language --value ha",
		 dir);
	assert_int_equal(run(NULL, args), 1);
	snprintf(args, sizeof(args), "i18n load --db %s/p.db", dir);
	assert_int_equal(run(NULL, args), 2);
	free(good);
	free(bad);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_and_help),
		cmocka_unit_test(usage_errors_exit_2_with_one_clear_line),
		cmocka_unit_test(init_creates_and_refuses_to_overwrite),
		cmocka_unit_test(serve_refuses_missing_or_foreign_databases),
		cmocka_unit_test(serve_starts_fast_and_stops_cleanly_on_sigterm),
		cmocka_unit_test(a_second_serve_on_a_port_in_use_exits_1),
		cmocka_unit_test(the_database_and_its_files_are_private_and_exposure_is_warned),
		cmocka_unit_test(serve_on_postgresql_keeps_its_files_in_the_folder_given),
		cmocka_unit_test(administrators_users_audit_and_keys),
		cmocka_unit_test(replacing_the_master_key),
		cmocka_unit_test(demo_data_is_complete_and_reproducible),
		cmocka_unit_test(observatory_imports_are_checked_whole_and_counted_exactly),
		cmocka_unit_test(observatory_indicators_give_no_withheld_count_away),
		cmocka_unit_test(observatory_htcds_files_round_trip_and_identifiers_are_refused),
		cmocka_unit_test(language_packs_from_the_command_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
