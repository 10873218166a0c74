/* A case's HTCDS fields as JSON, in the one shape the case API, a referral's recipient and an
 * offer across borders all use: code lists as arrays, a date or an age not known as null. */
#include "base/json.h"
#include "cases/cases.h"

unsigned case_parts_of(const char *categories)
{
	static const struct {
		const char *name;
		unsigned part;
	} map[] = { { "identity", CASE_PART_IDENTITY },
		    { "contact", CASE_PART_CONTACT },
		    { "documents", CASE_PART_DOCUMENTS },
		    { "victim", CASE_PART_VICTIM },
		    { "case", CASE_PART_CASE } };
	unsigned parts = 0;
	for (const char *s = categories; s && *s;) {
		size_t len = strcspn(s, ",");
		for (size_t i = 0; i < ARRAY_LEN(map); i++)
			if (strlen(map[i].name) == len && strncmp(map[i].name, s, len) == 0)
				parts |= map[i].part;
		s += len + (s[len] == ',');
	}
	return parts;
}

static int person(buf *b, const case_record *c, unsigned parts)
{
	int rc = buf_puts(b, "\"person\":{");
	bool first = true;
	if (!rc && (parts & CASE_PART_IDENTITY)) {
		rc = json_field_str(b, true, "prs_FirstName", c->first_name);
		first = false;
		if (!rc)
			rc = json_field_str(b, false, "prs_SecondName", c->second_name);
		if (!rc)
			rc = json_field_str(b, false, "prs_Gender", c->gender);
		if (!rc)
			rc = json_field_date(b, false, "prs_Birthdate", c->birthdate);
		if (!rc)
			rc = c->estimated_age >= 0
				 ? buf_printf(b, ",\"estimated_age\":%d", c->estimated_age)
				 : buf_puts(b, ",\"estimated_age\":null");
		if (!rc)
			rc = json_field_list(b, false, "prs_Citizenship", c->citizenship);
		if (!rc)
			rc = json_field_str(b, false, "prs_PrimaryLanguage", c->primary_language);
	}
	if (!rc && (parts & CASE_PART_CONTACT)) {
		rc = json_field_str(b, first, "prs_MobilePhone", c->mobile_phone);
		first = false;
	}
	if (!rc && (parts & CASE_PART_DOCUMENTS))
		rc = json_field_str(b, first, "prs_IdentityNumber", c->identity_number);
	return rc ? rc : buf_putc(b, '}');
}

static int victim(buf *b, const case_record *c, unsigned parts)
{
	int rc = buf_puts(b, ",\"victim\":{");
	if (!rc)
		rc = json_field_str(b, true, "vic_TraffickingStatus", c->trafficking_status);
	if (!rc)
		rc = json_field_list(b, false, "vic_TypeOfExploitation", c->exploitation);
	if (!rc)
		rc = json_field_list(b, false, "vic_MethodsOfControl", c->control);
	if (!rc && (parts & CASE_PART_VICTIM_DETAIL)) {
		rc = json_field_list(b, false, "vic_MethodOfRecruitment", c->recruitment);
		if (!rc)
			rc = json_field_str(b, false, "vic_RelationshipToTrafficker",
					    c->relationship);
		if (!rc)
			rc = json_field_str(b, false, "vic_ForcedLabourIndustry", c->labour_sector);
		if (!rc)
			rc = buf_printf(b, ",\"smuggled_migrant\":%s",
					!c->smuggled || !*c->smuggled   ? "null"
					: strcmp(c->smuggled, "1") == 0 ? "true"
									: "false");
	}
	return rc ? rc : buf_putc(b, '}');
}

int case_write_json(buf *b, const case_record *c, unsigned parts)
{
	int rc = person(b, c, parts);
	return rc || !(parts & CASE_PART_VICTIM) ? rc : victim(b, c, parts);
}
