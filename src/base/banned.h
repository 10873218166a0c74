/*
 * banned.h: functions that must never appear in Ponte.
 *
 * Each of these has a bounded or re-entrant replacement (see docs/ARCHITECTURE.md,
 * "Conventions"). The macros turn any call into a compile error that names the function.
 * This header is included last, after every system header, by common.h.
 */
#ifndef PONTE_BANNED_H
#define PONTE_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_ponte

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef asctime
#define asctime(t) BANNED(asctime)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef setlocale
#define setlocale(c, l) BANNED(setlocale)

#endif
