/* `ponte peer id|add|list|revoke|rotate` and `ponte trm outbox`: this instance's identity, the peers
 * it trusts, the messages waiting to leave. */
#include "base/clock.h"
#include "base/json.h"
#include "cli/cli.h"
#include "trm/trm.h"

struct args {
	const char *db, *key, *url, *identity, *fingerprint, *instance;
};

static int parse(const char *cmd, int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	const cli_opt opts[] = { CLI_TEXT("db", &a->db),
				 CLI_TEXT("key", &a->key),
				 CLI_TEXT("url", &a->url),
				 CLI_TEXT("identity", &a->identity),
				 CLI_TEXT("fingerprint", &a->fingerprint),
				 CLI_TEXT("instance", &a->instance) };
	return cli_parse(cmd, argc, argv, opts, ARRAY_LEN(opts), NULL);
}

static int peer_id(struct args *o)
{
	keyed_store env;
	int rc = cli_open_keyed("peer", o->db, o->key, &env);
	if (rc)
		return rc;
	arena a;
	arena_init(&a, 1u << 16);
	trm_self self;
	int err = trm_identity_ensure(&env);
	if (!err && o->url && trm_identity_set_url(env.db, o->url))
		rc = cli_fail("--url must be " TRM_URL_RULE);
	if (!err && !rc && !(err = trm_identity_get(&env, &a, &self))) {
		buf out;
		buf_init(&out, 4096);
		if (!(err = trm_identity_json(&self, &out)))
			printf("%s\n", out.data);
		buf_release(&out);
	}
	if (err)
		rc = cli_fail("cannot read the instance's identity: %s", ponte_strerror(err));
	arena_release(&a);
	cli_close_keyed(&env);
	return rc;
}

static int peer_add(struct args *o)
{
	if (!o->identity || !o->fingerprint)
		return cli_usage_error("peer", "add needs --identity FILE and --fingerprint FP");
	FILE *f = fopen(o->identity, "rb");
	if (!f)
		return cli_fail("cannot read %s", o->identity);
	char text[8192];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	store *s;
	int rc = cli_open("peer", o->db, NULL, &s, NULL);
	if (rc)
		return rc;
	int64_t id;
	const char *why = NULL;
	int err = trm_peer_add(s, text, n, o->fingerprint, &id, &why);
	if (err == PONTE_EINVAL)
		rc = cli_fail("not registered: %s", why);
	else if (err == PONTE_EEXIST)
		rc = cli_fail("this instance is registered already");
	else if (err)
		rc = cli_fail("cannot register the peer: %s", ponte_strerror(err));
	else
		printf("registered peer %lld\n", (long long)id);
	cli_close(s, NULL);
	return rc;
}

static int print_peer(const trm_peer *p, void *ctx)
{
	(void)ctx;
	printf("%s\t%s\t%s\t%s\t%s\t%s\n", p->instance_id, p->country, p->state, p->fingerprint,
	       p->url, p->name);
	return 0;
}

static int peer_list(struct args *o)
{
	store *s;
	int rc = cli_open("peer", o->db, NULL, &s, NULL);
	if (rc)
		return rc;
	arena a;
	arena_init(&a, 1u << 20);
	int err = trm_peer_list(s, &a, print_peer, NULL);
	if (err)
		rc = cli_fail("cannot list peers: %s", ponte_strerror(err));
	arena_release(&a);
	cli_close(s, NULL);
	return rc;
}

static int peer_revoke(struct args *o)
{
	if (!o->instance)
		return cli_usage_error("peer", "revoke needs --instance ID");
	store *s;
	int rc = cli_open("peer", o->db, NULL, &s, NULL);
	if (rc)
		return rc;
	int err = trm_peer_revoke(s, o->instance);
	if (err == PONTE_ENOTFOUND)
		rc = cli_fail("no active peer %s", o->instance);
	else if (err)
		rc = cli_fail("cannot revoke: %s", ponte_strerror(err));
	else
		printf("revoked %s: nothing from it is accepted any more\n", o->instance);
	cli_close(s, NULL);
	return rc;
}

/* New keys; every active peer is told in a message signed with the old key, which `ponte serve`
 * delivers. */
static int peer_rotate(struct args *o)
{
	keyed_store env;
	int rc = cli_open_keyed("peer", o->db, o->key, &env);
	if (rc)
		return rc;
	arena a;
	arena_init(&a, 1u << 16);
	trm_self self;
	int err = trm_keys_rotate(&env, clock_wall_ms());
	if (!err)
		err = trm_identity_get(&env, &a, &self);
	if (err)
		rc = cli_fail("cannot rotate the instance's keys: %s", ponte_strerror(err));
	else
		printf("new fingerprint %s: every active peer is told by a message signed with the "
		       "old key (ponte serve delivers it); the old keys stay valid for %d days\n",
		       self.fingerprint, TRM_KEY_GRACE_S / 86400);
	arena_release(&a);
	cli_close_keyed(&env);
	return rc;
}

int cmd_peer(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("peer",
				       "give a subcommand: id, add, list, revoke or rotate");
	struct args o;
	int rc = parse("peer", argc - 1, argv + 1, &o);
	if (rc)
		return rc;
	if (strcmp(argv[1], "id") == 0)
		return peer_id(&o);
	if (strcmp(argv[1], "add") == 0)
		return peer_add(&o);
	if (strcmp(argv[1], "list") == 0)
		return peer_list(&o);
	if (strcmp(argv[1], "revoke") == 0)
		return peer_revoke(&o);
	if (strcmp(argv[1], "rotate") == 0)
		return peer_rotate(&o);
	return cli_usage_error("peer", "unknown subcommand \"%s\"", argv[1]);
}

static int print_row(const trm_outbox_row *r, void *ctx)
{
	(void)ctx;
	printf("%s\t%s\t%s\t%s\t%lld\t%s\t%s\n", r->created_at, r->peer, r->type, r->state,
	       (long long)r->attempts, r->next_attempt_at, r->last_error);
	return 0;
}

int cmd_trm(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "outbox") != 0)
		return cli_usage_error("trm", "give a subcommand: outbox");
	struct args o;
	int rc = parse("trm", argc - 1, argv + 1, &o);
	if (rc)
		return rc;
	store *s;
	if ((rc = cli_open("trm", o.db, NULL, &s, NULL)))
		return rc;
	arena a;
	arena_init(&a, 1u << 20);
	printf("created\tpeer\ttype\tstate\tattempts\tnext attempt\tlast error\n");
	int err = trm_outbox_list(s, &a, print_row, NULL);
	if (err)
		rc = cli_fail("cannot read the outbox: %s", ponte_strerror(err));
	arena_release(&a);
	cli_close(s, NULL);
	return rc;
}
