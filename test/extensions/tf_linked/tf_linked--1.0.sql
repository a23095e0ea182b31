\echo Use "CREATE EXTENSION tf_linked" to load this file. \quit
CREATE FUNCTION tf_linked_yaml_version() RETURNS text
  AS 'MODULE_PATHNAME', 'tf_linked_yaml_version' LANGUAGE C STRICT;
CREATE FUNCTION tf_linked_yaml_scalars(text) RETURNS bigint
  AS 'MODULE_PATHNAME', 'tf_linked_yaml_scalars' LANGUAGE C STRICT;
