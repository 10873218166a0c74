/* The options of every subcommand, read from one table (cli.h: cli_opt) by getopt_long. */
#include <getopt.h>
#include <math.h>

#include "cli/cli.h"

static bool read_whole(const char *s, double lo, double hi, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || (double)v < lo || (double)v > hi)
		return false;
	*out = v;
	return true;
}

static bool read_real(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int take(const char *cmd, const cli_opt *o, char *value)
{
	switch (o->kind) {
	case CLI_OPT_TEXT: *o->text = value; return EXIT_OK;
	case CLI_OPT_FLAG: *o->flag = true; return EXIT_OK;
	case CLI_OPT_WHOLE:
		if (!read_whole(value, o->min, o->max, o->whole))
			return cli_usage_error(cmd, "%s", o->bad);
		return EXIT_OK;
	case CLI_OPT_REAL:
		if (!read_real(value, o->min, o->max, o->real))
			return cli_usage_error(cmd, "%s", o->bad);
		return EXIT_OK;
	case CLI_OPT_LIST:
		if ((double)*o->count >= o->max)
			return cli_usage_error(cmd, "%s", o->bad);
		o->text[(*o->count)++] = value;
		return EXIT_OK;
	}
	return cli_usage_error(cmd, "unknown option kind");
}

int cli_parse(const char *cmd, int argc, char **argv, const cli_opt *opts, size_t n, int *rest)
{
	struct option lo[CLI_MAX_OPTS + 1];
	if (n > CLI_MAX_OPTS)
		return cli_usage_error(cmd, "too many options in the table");
	for (size_t i = 0; i < n; i++)
		lo[i] =
		    (struct option){ opts[i].name,
				     opts[i].kind == CLI_OPT_FLAG ? no_argument : required_argument,
				     NULL, (int)i + 1 };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	int ch;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		/* getopt_long answers '?' for an unknown option or one without its value. */
		if (ch < 1 || (size_t)ch > n)
			return cli_usage_error(cmd, "unknown or incomplete option \"%s\"",
					       argv[optind - 1]);
		int rc = take(cmd, &opts[ch - 1], optarg);
		if (rc)
			return rc;
	}
	if (rest)
		*rest = optind;
	else if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
	return EXIT_OK;
}
