/* The SQL of indicator screening. */
#include "screening/sql.h"

/* clang-format off */
#define TEXT_OF(alias, code) \
	"coalesce((SELECT text FROM indicator_texts WHERE code = " code " AND lang = ?9), " \
	"(SELECT text FROM indicator_texts WHERE code = " code " AND lang = 'en'), " code ")"
const char SCR_SQL_LISTS[] =
    "SELECT l.code, l.audience, l.exploitation, l.min_dimensions, l.version, "
    TEXT_OF(l, "l.code") " FROM indicator_lists l ORDER BY l.audience, l.exploitation";
const char SCR_SQL_LIST[] =
    "SELECT l.code, l.audience, l.exploitation, l.min_dimensions, l.version, "
    TEXT_OF(l, "l.code") " FROM indicator_lists l WHERE l.code = ?1";
const char SCR_SQL_ITEMS[] =
    "SELECT i.code, i.dimension, i.strength, d.min_strong, d.min_medium, "
    TEXT_OF(i, "i.code") ", " TEXT_OF(d, "d.code")
    " FROM indicator_list_items li JOIN indicators i ON i.code = li.indicator "
    "JOIN indicator_dimensions d ON d.code = i.dimension WHERE li.list = ?1 "
    "ORDER BY d.position, i.position";
const char SCR_SQL_INSERT[] =
    "INSERT INTO screenings(case_id, list, list_version, dimensions_met, indicated, screened_by, "
    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const char SCR_SQL_ANSWER[] =
    "INSERT INTO screening_answers(screening_id, indicator, answer) VALUES (?1, ?2, ?3)";
const char SCR_SQL_NOTE[] = "UPDATE screening_answers SET note_enc = ?2 WHERE id = ?1";
const char SCR_SQL_HISTORY[] =
    "SELECT s.id, s.list, " TEXT_OF(s, "s.list") ", s.dimensions_met, s.indicated, s.created_at "
    "FROM screenings s WHERE s.case_id = ?1 ORDER BY s.id DESC";
/* clang-format on */
