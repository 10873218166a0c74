/* One entry for what a user does to a referral across borders, by name, for the pages and the
 * API alike. */
#include "i18n/i18n.h"
#include "trm/internal.h"

int trm_act(const keyed_store *env, const principal *p, int64_t ref_id, const char *action,
	    const char *arg, int64_t now_ms, const char **why)
{
	*why = NULL;
	arg = arg ? arg : "";
	if (strcmp(action, "decline") == 0 && !trm_decline_reason_valid(arg)) {
		*why = N_("Choose the reason for declining.");
		return PONTE_EINVAL;
	}
	if (strcmp(action, "accept") == 0 || strcmp(action, "decline") == 0)
		return trm_answer(env, p, ref_id, strcmp(action, "accept") == 0, arg, now_ms);
	if (strcmp(action, "withdraw") == 0)
		return trm_withdraw(env, p, ref_id, now_ms);
	if (strcmp(action, "in_service") == 0 || strcmp(action, "completed") == 0 ||
	    strcmp(action, "discontinued") == 0) {
		if (!trm_text_valid(arg, TRM_FEEDBACK_MAX)) {
			*why = N_("Write the feedback in at most 500 characters.");
			return PONTE_EINVAL;
		}
		return trm_update(env, p, ref_id, action, arg, now_ms);
	}
	if (strcmp(action, "forward") == 0)
		return trm_forward(env, p, ref_id, arg, now_ms, why);
	if (strcmp(action, "provider_accept") == 0 || strcmp(action, "provider_decline") == 0)
		return trm_provider_answer(env, p, ref_id, strcmp(action, "provider_accept") == 0,
					   now_ms);
	if (strcmp(action, "assign") == 0) {
		arena a;
		arena_init(&a, 4096);
		organisation o;
		int rc = org_find(env->db, &a, arg, &o);
		arena_release(&a);
		if (rc == PONTE_ENOTFOUND) {
			*why = N_("Choose an organisation.");
			return PONTE_EINVAL;
		}
		return rc ? rc : trm_assign(env, p, ref_id, o.id, now_ms, why);
	}
	return PONTE_ENOTFOUND;
}
