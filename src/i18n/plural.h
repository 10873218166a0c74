/*
 * plural.h: the Plural-Forms rule of a PO header ("nplurals=2; plural=(n != 1);"), parsed
 * into a small tree and evaluated without ever running the text as code.
 *
 * The expression is the C subset gettext allows: n, decimal numbers, ( ), ! * / % + -
 * < <= > >= == != && || and ?:. A rule holds at most PLURAL_MAX_NODES nodes and nests at
 * most PLURAL_MAX_DEPTH deep, so parsing and evaluation are bounded whatever the input.
 * plural_parse() accepts a rule only if, for every n from 0 to 1000 and a few large ones,
 * it divides by no zero and gives a form below nplurals; plural_eval() is then total (a
 * division by zero for some other n gives form 0, a form out of range the last one).
 */
#ifndef PONTE_PLURAL_H
#define PONTE_PLURAL_H

#include "base/common.h"

#define PLURAL_MAX_NODES 96
#define PLURAL_MAX_DEPTH 24

typedef struct plural_node {
	uint8_t op;
	uint8_t a, b, c; /* operands: indexes into nodes */
	unsigned long value;
} plural_node;

typedef struct plural_rule {
	int nplurals;
	int root;
	int count;
	plural_node nodes[PLURAL_MAX_NODES];
} plural_rule;

/* Parse a Plural-Forms value (n bytes). 0, or PONTE_EINVAL with *why an English sentence
 * (a msgid: translate it for the reader). */
int plural_parse(const char *s, size_t n, plural_rule *r, const char **why);
/* The form for n, in [0, nplurals). */
int plural_eval(const plural_rule *r, unsigned long n);

#endif
