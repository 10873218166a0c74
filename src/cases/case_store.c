#include "base/clock.h"
#include "cases/internal.h"
#include "i18n/i18n.h"
#include "identity/fields.h"

/* The scope test, with ?1 the scope (1 own .. 4 all), ?2 country, ?3 organisation, ?4 user. */
#define IN_SCOPE CASE_IN_SCOPE

static const char SQL_GET[] = "SELECT " CASE_COLUMNS " FROM cases c JOIN organisations o "
			      "ON o.id = c.organisation_id WHERE c.id = ?5 AND " IN_SCOPE;
static const char SQL_NEXT_ID[] = "SELECT coalesce(max(id), 0) + 1 FROM cases";
static const char SQL_INSERT[] =
    "INSERT INTO cases(id, organisation_id, owner_id, country, status, phase, first_name_enc, "
    "second_name_enc, identity_number_enc, mobile_phone_enc, gender, birthdate, estimated_age, "
    "citizenship, primary_language, trafficking_status, exploitation, created_at, updated_at, "
    "control, recruitment, relationship, labour_sector, smuggled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18, ?19, ?20, ?21, ?22, ?23)";
static const char SQL_UPDATE[] =
    "UPDATE cases SET version = version + 1, status = ?3, phase = ?4, closure_reason = ?5, "
    "first_name_enc = ?6, second_name_enc = ?7, identity_number_enc = ?8, mobile_phone_enc = ?9, "
    "gender = ?10, birthdate = ?11, estimated_age = ?12, citizenship = ?13, "
    "primary_language = ?14, trafficking_status = ?15, exploitation = ?16, updated_at = ?17, "
    "control = ?18, recruitment = ?19, relationship = ?20, labour_sector = ?21, smuggled = ?22 "
    "WHERE id = ?1 AND version = ?2";

static void bind_scope(store_stmt *st, const principal *p, const char *permission)
{
	store_bind_int64(st, 1, principal_scope(p, permission));
	store_bind_text(st, 2, p->country, strlen(p->country));
	store_bind_int64(st, 3, p->organisation_id);
	store_bind_int64(st, 4, p->user_id);
}

static const char *dec(const keyed_store *env, arena *a, store_stmt *st, int col, const char *name,
		       int64_t id)
{
	size_t n;
	const void *b = store_col_blob(st, col, &n);
	if (!n)
		return "";
	return field_decrypt(env, a, "cases", name, id, b, n);
}

int case_from_row(const keyed_store *env, arena *a, store_stmt *st, case_record *c)
{
	memset(c, 0, sizeof(*c));
	c->id = store_col_int64(st, 0);
	c->version = store_col_int64(st, 1);
	c->organisation_id = store_col_int64(st, 2);
	c->owner_id = store_col_int64(st, 3);
	c->organisation_code = store_col_dup(a, st, 4);
	c->country = store_col_dup(a, st, 5);
	c->status = store_col_dup(a, st, 6);
	c->phase = store_col_dup(a, st, 7);
	c->closure_reason = store_col_dup(a, st, 8);
	c->first_name = dec(env, a, st, 9, "first_name", c->id);
	c->second_name = dec(env, a, st, 10, "second_name", c->id);
	c->identity_number = dec(env, a, st, 11, "identity_number", c->id);
	c->mobile_phone = dec(env, a, st, 12, "mobile_phone", c->id);
	c->gender = store_col_dup(a, st, 13);
	c->birthdate = store_col_dup(a, st, 14);
	c->estimated_age = (int)store_col_int64(st, 15);
	c->citizenship = store_col_dup(a, st, 16);
	c->primary_language = store_col_dup(a, st, 17);
	c->trafficking_status = store_col_dup(a, st, 18);
	c->exploitation = store_col_dup(a, st, 19);
	c->created_at = store_col_dup(a, st, 20);
	c->updated_at = store_col_dup(a, st, 21);
	c->control = store_col_dup(a, st, 22);
	c->recruitment = store_col_dup(a, st, 23);
	c->relationship = store_col_dup(a, st, 24);
	c->labour_sector = store_col_dup(a, st, 25);
	c->smuggled = store_col_dup(a, st, 26);
	c->risk = store_col_dup(a, st, 27);
	/* A field that does not decrypt is never shown as something else. */
	return c->first_name && c->second_name && c->identity_number && c->mobile_phone
		   ? 0
		   : PONTE_ESTORE;
}

int case_get_unaudited(const keyed_store *env, arena *a, const principal *p, int64_t id,
		       case_record *out)
{
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_GET, &st);
	if (rc)
		return rc;
	bind_scope(st, p, "case.social.read");
	store_bind_int64(st, 5, id);
	if (!(rc = store_step_one(st))) {
		rc = case_from_row(env, a, st, out);
		store_reset(st);
	}
	return rc;
}

int case_get(const keyed_store *env, arena *a, const principal *p, int64_t id, case_record *out)
{
	int rc = case_get_unaudited(env, a, p, id, out);
	principal_audit_read(env->db, p, "case.read", "case", id,
			     rc == 0                 ? "success"
			     : rc == PONTE_ENOTFOUND ? "denied"
						     : "failure");
	return rc;
}

int case_get_to_write(const keyed_store *env, arena *a, const principal *p, int64_t id,
		      case_record *out)
{
	int rc = case_get(env, a, p, id, out);
	if (!rc && !principal_can_see(p, "case.social.write", out->owner_id, out->organisation_id,
				      out->country))
		rc = PONTE_ENOTFOUND;
	return rc;
}

/* Encrypt one personal field for (id); an absent value is stored as NULL. */
static int bind_encrypted(const keyed_store *env, store_stmt *st, int idx, const char *column,
			  int64_t id, const char *value, buf *tmp)
{
	if (!value || !*value)
		return store_bind_null(st, idx);
	int rc = field_encrypt(env, "cases", column, id, value, tmp);
	return rc ? rc : store_bind_blob(st, idx, tmp->data, tmp->len);
}

static const char * or (const char *v, const char *def)
{
	return v ? v : def;
}

static int bind_person(const keyed_store *env, store_stmt *st, int first, int64_t id,
		       const case_record *v)
{
	buf tmp;
	buf_init(&tmp, 4096);
	const char *cols[] = { "first_name", "second_name", "identity_number", "mobile_phone" };
	const char *vals[] = { v->first_name, v->second_name, v->identity_number, v->mobile_phone };
	int rc = 0;
	for (int i = 0; i < 4 && !rc; i++)
		rc = bind_encrypted(env, st, first + i, cols[i], id, vals[i], &tmp);
	buf_release(&tmp);
	return rc;
}

/* The victim's facts at ?base..?base+4: four lists of codes and the smuggled flag ("" is
 * not known, stored as NULL). */
static void bind_facts(store_stmt *st, int base, const char *const f[5])
{
	for (int i = 0; i < 4; i++)
		store_bind_text(st, base + i, f[i], strlen(f[i]));
	if (*f[4])
		store_bind_int64(st, base + 4, f[4][0] == '1');
	else
		store_bind_null(st, base + 4);
}

int case_check(const keyed_store *env, const principal *p, int64_t case_id, const char *permission)
{
	arena a;
	arena_init(&a, 1u << 16);
	case_record c;
	int rc = case_get(env, &a, p, case_id, &c);
	if (!rc && !principal_can_see(p, permission, c.owner_id, c.organisation_id, c.country))
		rc = PONTE_ENOTFOUND;
	arena_release(&a);
	return rc;
}

int case_create(const keyed_store *env, const principal *p, const case_input *in, int64_t *id,
		field_errors *errors)
{
	if (!case_validate(env->db, in, true, errors))
		return errors->failed ? errors->failed : PONTE_EINVAL;
	case_record v = { .status = or (in->status, "Active"),
			  .phase = or (in->phase, "identification"),
			  .first_name = in->first_name,
			  .second_name = in->second_name,
			  .identity_number = in->identity_number,
			  .mobile_phone = in->mobile_phone };
	store_conn *c;
	store_stmt *st;
	int rc = store_begin_on(env->db, &c);
	if (rc)
		return rc;
	int64_t new_id = 0;
	if (!(rc = store_prepare(c, SQL_NEXT_ID, &st))) {
		rc = store_step(st);
		new_id = store_col_int64(st, 0);
		store_reset(st);
		rc = rc == STORE_ROW ? 0 : PONTE_ESTORE;
	}
	if (!rc)
		rc = store_prepare(c, SQL_INSERT, &st);
	if (!rc) {
		char when[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), when);
		const char *g = or (in->gender, "NonSpecifiedUnknown"), *b = or (in->birthdate, ""),
			   *cz = or (in->citizenship, ""), *pl = or (in->primary_language, ""),
			   *ts = or (in->trafficking_status, "PossibleVictimOfTrafficking"),
			   *ex = or (in->exploitation, "");
		store_bind_int64(st, 1, new_id);
		store_bind_int64(st, 2, p->organisation_id);
		store_bind_int64(st, 3, p->user_id);
		store_bind_text(st, 4, p->country, strlen(p->country));
		store_bind_text(st, 5, v.status, strlen(v.status));
		store_bind_text(st, 6, v.phase, strlen(v.phase));
		rc = bind_person(env, st, 7, new_id, &v);
		store_bind_text(st, 11, g, strlen(g));
		store_bind_text(st, 12, b, strlen(b));
		if (in->estimated_age && *in->estimated_age)
			store_bind_int64(st, 13, strtol(in->estimated_age, NULL, 10));
		store_bind_text(st, 14, cz, strlen(cz));
		store_bind_text(st, 15, pl, strlen(pl));
		store_bind_text(st, 16, ts, strlen(ts));
		store_bind_text(st, 17, ex, strlen(ex));
		store_bind_text(st, 18, when, strlen(when));
		const char *facts[5] = { or (in->control, ""), or (in->recruitment, ""),
					 or (in->relationship, ""), or (in->labour_sector, ""),
					 or (in->smuggled, "") };
		bind_facts(st, 19, facts);
		if (!rc) {
			rc = store_step(st);
			rc = rc < 0 ? rc : 0;
		}
		store_reset(st);
	}
	/* The case, its name keys and its trace are written together. */
	if (!rc)
		rc = case_name_keys_write(env, c, new_id, v.first_name, v.second_name);
	if (!rc)
		rc = principal_audit(env->db, p, "case.create", "case", new_id, "success", true);
	if (!rc)
		rc = store_commit(c);
	if (rc) {
		store_rollback(c);
		return rc;
	}
	*id = new_id;
	return 0;
}

int case_update(const keyed_store *env, const principal *p, int64_t id, int64_t version,
		const case_input *in, field_errors *errors, int64_t *current)
{
	if (!case_validate(env->db, in, false, errors))
		return errors->failed ? errors->failed : PONTE_EINVAL;
	/* The case as the caller may see it; writing needs case.social.write in scope too. */
	arena a;
	arena_init(&a, 1 << 20);
	case_record old;
	int rc = case_get_to_write(env, &a, p, id, &old);
	if (!rc && old.version != version) {
		*current = old.version;
		rc = PONTE_ECONFLICT;
	}
	/* Four eyes: a case closes only when someone approves a request to close it
	 * (closures.c), never by changing it, whoever the caller is; nor does its reason
	 * change without such a request. */
	bool closing = !rc && in->status && case_status_closed(in->status) &&
		       strcmp(in->status, old.status) != 0,
	     reopening = !rc && in->status && !case_status_closed(in->status) &&
			 case_status_closed(old.status);
	if (!rc) {
		field_errors_clear(errors);
		if (closing)
			field_errors_add(errors, "cas_Status",
					 N_("Closing a case takes two people: ask for the "
					    "closure, and someone else approves it."));
		if (in->closure_reason && strcmp(in->closure_reason, old.closure_reason) != 0)
			field_errors_add(errors, "cas_ReasonForCaseClosure",
					 N_("The reason for closing is given when asking to "
					    "close the case."));
		if (errors->count)
			rc = PONTE_EINVAL;
	}
	store_conn *c;
	store_stmt *st;
	bool begun = false;
	if (!rc)
		rc = store_conn_get(env->db, &c);
	if (!rc)
		begun = !(rc = store_begin(c));
	if (!rc)
		rc = store_prepare(c, SQL_UPDATE, &st);
	if (!rc) {
		case_record v = old;
		v.status = or (in->status, old.status);
		v.phase = or (in->phase, old.phase);
		v.first_name = or (in->first_name, old.first_name);
		v.second_name = or (in->second_name, old.second_name);
		v.identity_number = or (in->identity_number, old.identity_number);
		v.mobile_phone = or (in->mobile_phone, old.mobile_phone);
		const char *cr = old.closure_reason, *g = or (in->gender, old.gender),
			   *b = or (in->birthdate, old.birthdate),
			   *cz = or (in->citizenship, old.citizenship),
			   *pl = or (in->primary_language, old.primary_language),
			   *ts = or (in->trafficking_status, old.trafficking_status),
			   *ex = or (in->exploitation, old.exploitation);
		char when[CLOCK_RFC3339_LEN];
		clock_format_rfc3339(clock_wall_ms(), when);
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, version);
		store_bind_text(st, 3, v.status, strlen(v.status));
		store_bind_text(st, 4, v.phase, strlen(v.phase));
		store_bind_text(st, 5, cr, strlen(cr));
		rc = bind_person(env, st, 6, id, &v);
		store_bind_text(st, 10, g, strlen(g));
		store_bind_text(st, 11, b, strlen(b));
		if (in->estimated_age ? *in->estimated_age != '\0' : old.estimated_age >= 0)
			store_bind_int64(st, 12,
					 in->estimated_age ? strtol(in->estimated_age, NULL, 10)
							   : old.estimated_age);
		store_bind_text(st, 13, cz, strlen(cz));
		store_bind_text(st, 14, pl, strlen(pl));
		store_bind_text(st, 15, ts, strlen(ts));
		store_bind_text(st, 16, ex, strlen(ex));
		store_bind_text(st, 17, when, strlen(when));
		const char *facts[5] = { or (in->control, old.control),
					 or (in->recruitment, old.recruitment),
					 or (in->relationship, old.relationship),
					 or (in->labour_sector, old.labour_sector),
					 or (in->smuggled, old.smuggled) };
		bind_facts(st, 18, facts);
		if (!rc) {
			rc = store_step(st);
			rc = rc < 0 ? rc : 0;
		}
		store_reset(st);
		/* Someone else saved between our read and our write. */
		if (!rc && store_changes(c) != 1) {
			*current = old.version + 1;
			rc = PONTE_ECONFLICT;
		}
		if (!rc && (strcmp(v.first_name, old.first_name) != 0 ||
			    strcmp(v.second_name, old.second_name) != 0))
			rc = case_name_keys_write(env, c, id, v.first_name, v.second_name);
		if (!rc && reopening)
			rc = case_closure_record(c, id, "reopen", v.status, "", p->user_id, when);
	}
	if (begun && !rc)
		rc = principal_audit(env->db, p, "case.update", "case", id, "success", true);
	if (begun && !rc)
		rc = store_commit(c);
	if (begun && rc)
		store_rollback(c);
	arena_release(&a);
	/* A change is audited in its own transaction (above); a refusal changed nothing. */
	if (rc)
		principal_audit(env->db, p, "case.update", "case", id,
				rc == PONTE_ENOTFOUND ? "denied" : "failure", false);
	return rc;
}

/* ---- for modules that decide access themselves ---- */

static const char SQL_SCOPE[] =
    "SELECT owner_id, organisation_id, country FROM cases WHERE id = ?1";
static const char SQL_DISCLOSE[] =
    "SELECT first_name_enc, second_name_enc, birthdate, gender, citizenship, primary_language, "
    "mobile_phone_enc, identity_number_enc, trafficking_status, exploitation, status, phase, "
    "coalesce(estimated_age, -1), control FROM cases WHERE id = ?1";

int case_scope_of(store *db, int64_t case_id, case_scope *out)
{
	store_stmt *st;
	int rc = store_stmt_get(db, SQL_SCOPE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	if ((rc = store_step_one(st)))
		return rc;
	out->owner_id = store_col_int64(st, 0);
	out->organisation_id = store_col_int64(st, 1);
	snprintf(out->country, sizeof(out->country), "%s", store_col_text(st, 2, NULL));
	store_reset(st);
	return 0;
}

int case_disclose(const keyed_store *env, arena *a, int64_t case_id, unsigned parts,
		  case_record *out)
{
	memset(out, 0, sizeof(*out));
	out->estimated_age = -1;
	store_stmt *st;
	int rc = store_stmt_get(env->db, SQL_DISCLOSE, &st);
	if (rc)
		return rc;
	store_bind_int64(st, 1, case_id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		out->id = case_id;
		if (parts & CASE_PART_IDENTITY) {
			out->first_name = dec(env, a, st, 0, "first_name", case_id);
			out->second_name = dec(env, a, st, 1, "second_name", case_id);
			out->birthdate = store_col_dup(a, st, 2);
			out->gender = store_col_dup(a, st, 3);
			out->citizenship = store_col_dup(a, st, 4);
			out->primary_language = store_col_dup(a, st, 5);
			out->estimated_age = (int)store_col_int64(st, 12);
		}
		if (parts & CASE_PART_CONTACT)
			out->mobile_phone = dec(env, a, st, 6, "mobile_phone", case_id);
		if (parts & CASE_PART_DOCUMENTS)
			out->identity_number = dec(env, a, st, 7, "identity_number", case_id);
		if (parts & CASE_PART_VICTIM) {
			out->trafficking_status = store_col_dup(a, st, 8);
			out->exploitation = store_col_dup(a, st, 9);
			out->control = store_col_dup(a, st, 13);
		}
		if (parts & CASE_PART_CASE) {
			out->status = store_col_dup(a, st, 10);
			out->phase = store_col_dup(a, st, 11);
		}
	}
	store_reset(st);
	return rc == STORE_ROW ? 0 : rc < 0 ? rc : PONTE_ENOTFOUND;
}
