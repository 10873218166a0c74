/* The auditor's view of the audit trail: filters, and the same selection as CSV. */
#include "audit/audit.h"
#include "export/export.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "web/web.h"

struct rows_ctx {
	http_request *req;
	tpl_list *list;
	buf *csv;
};

static int add_row(const audit_event *e, void *ctx)
{
	struct rows_ctx *r = ctx;
	tpl_vars *item = tpl_list_add(r->list);
	if (!item)
		return PONTE_ENOMEM;
	tpl_set(item, "id", arena_printf(r->req->arena, "%lld", (long long)e->id));
	web_set_when(r->req, item, "time", e->time, true);
	tpl_set(item, "user",
		e->user_id ? arena_printf(r->req->arena, "%lld", (long long)e->user_id) : "");
	tpl_set(item, "organisation",
		e->organisation_id
		    ? arena_printf(r->req->arena, "%lld", (long long)e->organisation_id)
		    : "");
	tpl_set(item, "action", e->action);
	tpl_set(item, "object",
		e->object_type[0]
		    ? arena_printf(r->req->arena, "%s %s", e->object_type, e->object_id)
		    : "");
	tpl_set(item, "outcome", e->outcome);
	tpl_set_bool(item, "failed", strcmp(e->outcome, "success") != 0);
	tpl_set(item, "client", e->client);
	return 0;
}

static int add_csv(const audit_event *e, void *ctx)
{
	struct rows_ctx *r = ctx;
	char id[24], uid[24], org[24];
	snprintf(id, sizeof(id), "%lld", (long long)e->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)e->user_id);
	snprintf(org, sizeof(org), "%lld", (long long)e->organisation_id);
	const char *fields[] = {
		id,        e->time,        e->user_id ? uid : "", e->organisation_id ? org : "",
		e->action, e->object_type, e->object_id,          e->outcome,
		e->client
	};
	int rc = 0;
	for (size_t i = 0; i < ARRAY_LEN(fields) && !rc; i++)
		rc = export_csv_field(r->csv, fields[i], i + 1 == ARRAY_LEN(fields));
	return rc;
}

/* The filter of the page or the download. The days are as a person types them (a date
 * picker's 2026-11-28, or 28/11/2026 where the browser has none), "until" included; struct
 * days keeps what each field shows back: the day read, or what was typed when it is not a day. */
struct days {
	char since[11], until[11];
	char since_start[CLOCK_RFC3339_LEN], until_end[CLOCK_RFC3339_LEN];
	const char *since_shown, *until_shown;
};

static void read_filter(http_request *req, audit_filter *f, struct days *d, field_errors *e)
{
	memset(f, 0, sizeof(*f));
	memset(d, 0, sizeof(*d));
	field_errors_clear(e);
	const char *who = http_query(req, "user");
	f->user_id = who && *who ? strtoll(who, NULL, 10) : 0;
	f->action = http_query(req, "action");
	f->object_type = http_query(req, "object_type");
	f->object_id = http_query(req, "object_id");
	f->limit = 500;
	static const char *const DAY = N_("Enter a day, for example 28/11/2026.");
	const char *since = http_query(req, "since"), *until = http_query(req, "until");
	d->since_shown = since ? since : "";
	d->until_shown = until ? until : "";
	if (since && *since) {
		if (i18n_date_read(req->lang, since, d->since) &&
		    i18n_day_start(d->since, 0, d->since_start)) {
			f->since = d->since_start;
			d->since_shown = d->since;
		} else {
			field_errors_add(e, "since", DAY);
		}
	}
	if (until && *until) {
		if (i18n_date_read(req->lang, until, d->until) &&
		    i18n_day_start(d->until, 1, d->until_end)) {
			f->until = d->until_end;
			d->until_shown = d->until;
		} else {
			field_errors_add(e, "until", DAY);
		}
	}
	if (f->since && f->until && strcmp(d->since, d->until) > 0)
		field_errors_add(e, "until", N_("A period ends on or after the day it starts."));
}

static void audit_read(http_request *req, const char *action)
{
	const principal *p = principal_of(req);
	audit_event e = { .user_id = p->user_id,
			  .organisation_id = p->organisation_id,
			  .action = action,
			  .object_type = "audit",
			  .object_id = "",
			  .outcome = "success",
			  .client = req->client_addr };
	audit_append_read(services_of(req)->db, &e);
}

int web_audit(http_request *req, http_response *res)
{
	audit_filter f;
	struct days d;
	field_errors e;
	read_filter(req, &f, &d, &e);
	tpl_vars *v = tpl_vars_new(req->arena);
	if (!v)
		return PONTE_ENOMEM;
	tpl_set(v, "user", http_query(req, "user"));
	tpl_set(v, "action", f.action);
	tpl_set(v, "object_type", f.object_type);
	tpl_set(v, "object_id", f.object_id);
	tpl_set(v, "since", d.since_shown);
	tpl_set(v, "until", d.until_shown);
	tpl_set(v, "query", req->query);
	if (e.count) { /* said above the form and beside each field; nothing listed */
		static const char *const ORDER[] = { "since", "until", NULL };
		web_field_errors(req, v, &e, ORDER, NULL);
		http_refuse_page(res, PONTE_EREJECTED);
		return web_render_page(req, res, "audit", N_("Audit trail"), v);
	}
	struct rows_ctx rows = { req, tpl_set_list(v, "events"), NULL };
	int rc = audit_query(services_of(req)->db, req->arena, &f, add_row, &rows);
	if (rc)
		return rc;
	audit_read(req, "audit.read");
	return web_render_page(req, res, "audit", N_("Audit trail"), v);
}

int web_audit_csv(http_request *req, http_response *res)
{
	audit_filter f;
	struct days d;
	field_errors e;
	read_filter(req, &f, &d, &e);
	if (e.count)
		return PONTE_EINVAL;
	f.limit = 100000;
	struct rows_ctx rows = { req, NULL, &res->body };
	int rc = export_csv_begin(&res->body);
	if (!rc)
		rc = buf_puts(&res->body, "id,time,user_id,organisation_id,action,object_type,"
					  "object_id,outcome,client\r\n");
	if (!rc)
		rc = audit_query(services_of(req)->db, req->arena, &f, add_csv, &rows);
	if (rc)
		return rc;
	audit_read(req, "audit.export");
	res->content_type = "text/csv; charset=utf-8";
	return http_set_header(res, "Content-Disposition",
			       "attachment; filename=\"ponte-audit.csv\"");
}
