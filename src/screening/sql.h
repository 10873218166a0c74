/* sql.h (internal to screening/): the statements, defined in screening_store.c. */
#ifndef PONTE_SCREENING_SQL_H
#define PONTE_SCREENING_SQL_H

extern const char SCR_SQL_LISTS[], SCR_SQL_LIST[], SCR_SQL_ITEMS[], SCR_SQL_INSERT[],
    SCR_SQL_ANSWER[], SCR_SQL_NOTE[], SCR_SQL_HISTORY[];

#endif
