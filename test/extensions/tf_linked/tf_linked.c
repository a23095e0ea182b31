/*
 * tf_linked: a test extension linked against a shared library that PostgreSQL's base images lack
 * (libyaml), so that it loads only when that library is bundled with a RUNPATH of $ORIGIN.
 */
#include "postgres.h"
#include "fmgr.h"
#include "utils/builtins.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif
#include <yaml.h>

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(tf_linked_yaml_version);
PG_FUNCTION_INFO_V1(tf_linked_yaml_scalars);

Datum
tf_linked_yaml_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(yaml_get_version_string()));
}

/* Counts the scalars in a YAML document: proves the library really parses, not just links. */
Datum
tf_linked_yaml_scalars(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	yaml_parser_t parser;
	yaml_event_t event;
	int64		scalars = 0;
	bool		done = false;

	if (!yaml_parser_initialize(&parser))
		elog(ERROR, "could not initialise the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *) VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc));
	while (!done)
	{
		if (!yaml_parser_parse(&parser, &event))
		{
			yaml_parser_delete(&parser);
			ereport(ERROR, (errmsg("invalid YAML")));
		}
		if (event.type == YAML_SCALAR_EVENT)
			scalars++;
		done = (event.type == YAML_STREAM_END_EVENT);
		yaml_event_delete(&event);
	}
	yaml_parser_delete(&parser);
	PG_RETURN_INT64(scalars);
}
