#include "i18n/plural.h"
#include "i18n/i18n.h"
#include "i18n/po.h"

enum op {
	P_NUM,
	P_N,
	P_NOT,
	P_MUL,
	P_DIV,
	P_MOD,
	P_ADD,
	P_SUB,
	P_LT,
	P_LE,
	P_GT,
	P_GE,
	P_EQ,
	P_NE,
	P_AND,
	P_OR,
	P_COND
};

struct parser {
	const char *p, *end;
	plural_rule *r;
	int depth;
	const char *why;
};

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n'))
		ps->p++;
}

static bool eat(struct parser *ps, const char *tok)
{
	skip_space(ps);
	size_t n = strlen(tok);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, tok, n) != 0)
		return false;
	/* "<" must not eat the start of "<=", "!" not the start of "!=", "=" never alone. */
	if (n == 1 && ps->p + 1 < ps->end && ps->p[1] == '=' && strchr("<>!", tok[0]))
		return false;
	ps->p += n;
	return true;
}

static int node(struct parser *ps, enum op op, int a, int b, int c, unsigned long value)
{
	if (a < 0 || b < 0 || c < 0)
		return -1;
	if (ps->r->count >= PLURAL_MAX_NODES) {
		ps->why = N_("The plural rule is too long.");
		return -1;
	}
	int i = ps->r->count++;
	ps->r->nodes[i] = (plural_node){
		.op = (uint8_t)op, .a = (uint8_t)a, .b = (uint8_t)b, .c = (uint8_t)c, .value = value
	};
	return i;
}

static int cond(struct parser *ps);

static int primary(struct parser *ps)
{
	skip_space(ps);
	if (ps->p >= ps->end) {
		ps->why = N_("The plural rule ends too soon.");
		return -1;
	}
	if (*ps->p == 'n') {
		ps->p++;
		return node(ps, P_N, 0, 0, 0, 0);
	}
	if (*ps->p >= '0' && *ps->p <= '9') {
		unsigned long v = 0;
		int digits = 0;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
			if (++digits > 9) {
				ps->why = N_("A number in the plural rule is too large.");
				return -1;
			}
			v = v * 10 + (unsigned long)(*ps->p++ - '0');
		}
		return node(ps, P_NUM, 0, 0, 0, v);
	}
	if (eat(ps, "(")) {
		int e = cond(ps);
		if (e < 0)
			return -1;
		if (!eat(ps, ")")) {
			ps->why = N_("A parenthesis of the plural rule is not closed.");
			return -1;
		}
		return e;
	}
	ps->why = N_("The plural rule has a character it does not allow.");
	return -1;
}

static int unary(struct parser *ps)
{
	if (eat(ps, "!")) {
		if (++ps->depth > PLURAL_MAX_DEPTH) {
			ps->why = N_("The plural rule nests too deep.");
			return -1;
		}
		int e = unary(ps);
		ps->depth--;
		return node(ps, P_NOT, e, 0, 0, 0);
	}
	return primary(ps);
}

/* One level of left-associative binary operators, from the tightest (level 0) up. */
static const struct {
	const char *tok;
	enum op op;
	int level;
} BINARY[] = {
	{ "*", P_MUL, 0 }, { "/", P_DIV, 0 }, { "%", P_MOD, 0 }, { "+", P_ADD, 1 },
	{ "-", P_SUB, 1 }, { "<=", P_LE, 2 }, { ">=", P_GE, 2 }, { "<", P_LT, 2 },
	{ ">", P_GT, 2 },  { "==", P_EQ, 3 }, { "!=", P_NE, 3 }, { "&&", P_AND, 4 },
	{ "||", P_OR, 5 },
};

static int binary(struct parser *ps, int level)
{
	int left = level == 0 ? unary(ps) : binary(ps, level - 1);
	while (left >= 0) {
		enum op op = P_NUM;
		for (size_t i = 0; i < ARRAY_LEN(BINARY) && op == P_NUM; i++)
			if (BINARY[i].level == level && eat(ps, BINARY[i].tok))
				op = BINARY[i].op;
		if (op == P_NUM)
			break;
		int right = level == 0 ? unary(ps) : binary(ps, level - 1);
		left = node(ps, op, left, right, 0, 0);
	}
	return left;
}

static int cond(struct parser *ps)
{
	if (++ps->depth > PLURAL_MAX_DEPTH) {
		ps->why = N_("The plural rule nests too deep.");
		return -1;
	}
	int test = binary(ps, 5);
	if (test >= 0 && eat(ps, "?")) {
		int yes = cond(ps);
		if (yes >= 0 && !eat(ps, ":")) {
			ps->why = N_("A ? of the plural rule has no :.");
			yes = -1;
		}
		int no = yes >= 0 ? cond(ps) : -1;
		test = node(ps, P_COND, test, yes, no, 0);
	}
	ps->depth--;
	return test;
}

/* Evaluation: the tree is at most PLURAL_MAX_NODES deep. *bad is set on a division by 0. */
static unsigned long eval(const plural_rule *r, int i, unsigned long n, bool *bad)
{
	const plural_node *x = &r->nodes[i];
	unsigned long a = 0, b = 0;
	switch ((enum op)x->op) {
	case P_NUM: return x->value;
	case P_N: return n;
	case P_NOT: return !eval(r, x->a, n, bad);
	case P_COND: return eval(r, x->a, n, bad) ? eval(r, x->b, n, bad) : eval(r, x->c, n, bad);
	case P_AND: return eval(r, x->a, n, bad) && eval(r, x->b, n, bad);
	case P_OR: return eval(r, x->a, n, bad) || eval(r, x->b, n, bad);
	default: break;
	}
	a = eval(r, x->a, n, bad);
	b = eval(r, x->b, n, bad);
	switch ((enum op)x->op) {
	case P_MUL: return a * b;
	case P_DIV:
	case P_MOD:
		if (b == 0) {
			*bad = true;
			return 0;
		}
		return x->op == P_DIV ? a / b : a % b;
	case P_ADD: return a + b;
	case P_SUB: return a - b;
	case P_LT: return a < b;
	case P_LE: return a <= b;
	case P_GT: return a > b;
	case P_GE: return a >= b;
	case P_EQ: return a == b;
	case P_NE: return a != b;
	default: return 0;
	}
}

int plural_eval(const plural_rule *r, unsigned long n)
{
	if (!r || r->count == 0 || r->nplurals <= 1)
		return 0;
	bool bad = false;
	unsigned long v = eval(r, r->root, n, &bad);
	if (bad)
		return 0;
	return v < (unsigned long)r->nplurals ? (int)v : r->nplurals - 1;
}

int plural_parse(const char *s, size_t n, plural_rule *r, const char **why)
{
	memset(r, 0, sizeof(*r));
	struct parser ps = { .p = s, .end = s + n, .r = r };
	*why = N_("The Plural-Forms header must read \"nplurals=N; plural=EXPRESSION;\".");
	if (!eat(&ps, "nplurals") || !eat(&ps, "="))
		return PONTE_EINVAL;
	skip_space(&ps);
	if (ps.p >= ps.end || *ps.p < '1' || *ps.p > '0' + PO_MAX_PLURALS) {
		*why = N_("A language has from 1 to 6 plural forms.");
		return PONTE_EINVAL;
	}
	r->nplurals = *ps.p++ - '0';
	if (ps.p < ps.end && *ps.p >= '0' && *ps.p <= '9') {
		*why = N_("A language has from 1 to 6 plural forms.");
		return PONTE_EINVAL;
	}
	if (!eat(&ps, ";") || !eat(&ps, "plural") || !eat(&ps, "="))
		return PONTE_EINVAL;
	r->root = cond(&ps);
	if (r->root < 0) {
		*why = ps.why ? ps.why : *why;
		return PONTE_EINVAL;
	}
	eat(&ps, ";");
	skip_space(&ps);
	if (ps.p != ps.end) {
		*why = N_("The plural rule has text after its end.");
		return PONTE_EINVAL;
	}
	static const unsigned long LARGE[] = { 1001, 10000, 100001, 1000000, 4294967295UL };
	for (unsigned long i = 0; i <= 1000 + ARRAY_LEN(LARGE); i++) {
		unsigned long x = i <= 1000 ? i : LARGE[i - 1001];
		bool bad = false;
		unsigned long v = eval(r, r->root, x, &bad);
		if (bad) {
			*why = N_("The plural rule divides by zero.");
			return PONTE_EINVAL;
		}
		if (v >= (unsigned long)r->nplurals) {
			*why = N_("The plural rule gives a form beyond nplurals.");
			return PONTE_EINVAL;
		}
	}
	*why = NULL;
	return 0;
}
