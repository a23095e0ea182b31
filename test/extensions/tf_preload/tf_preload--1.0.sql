\echo Use "CREATE EXTENSION tf_preload" to load this file. \quit
CREATE FUNCTION tf_preload_loaded() RETURNS bigint
  AS 'MODULE_PATHNAME', 'tf_preload_loaded' LANGUAGE C STRICT;
