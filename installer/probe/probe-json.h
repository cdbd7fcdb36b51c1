/*
 * probe-json.h - the probe's JSON output: strings escaped for JSON, on stdout. The probe prints
 * its documents with printf around these; it parses no JSON.
 */
#ifndef PROBE_JSON_H
#define PROBE_JSON_H

/* Prints 's' as a JSON string (quotes included), control characters as \uXXXX. */
void probe_json_string(const char *s);

#endif
