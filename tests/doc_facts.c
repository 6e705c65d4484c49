/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prints what the documentation states about the code, from the code's
 * own tables, for tests/test_docs.sh to look for in the documents:
 *
 *   key NAME TYPE DEFAULT [MIN MAX [zero-off]]	coordd.conf's key table
 *   request TYPE NAME				the control requests
 *   command NAME json|text			coordctl's commands
 *   version wire|control MAJOR.MINOR
 *   enum KIND VALUE NAME			the names coordctl and the
 *						metrics print
 *
 * `doc_facts metrics` prints instead a scrape as coordd renders it: a
 * fresh engine, this process's own process_* series, every family.
 *
 * Fields are separated by one tab; DEFAULT is "-" when the key has none
 * (vip) and "" when its default is empty.  The two tables are static in
 * their files, so this file includes them, as tests/unit/adapters/test_coordctl.c
 * includes coordctl's sources.
 */
#include <stdio.h>

#include "../coord/daemon/config.c"
#include "../coord/ctl/coordctl_parse.c"
#include "../coord/daemon/metrics.h"

/* The word of expect ("a, b or c") that means value, or NULL. */
static const char *level_word(const char *expect, int level, char *buf, size_t len)
{
	const char *p = expect;

	while (*p) {
		size_t n = strcspn(p, ", ");

		snprintf(buf, len, "%.*s", (int)n, p);
		if (strcmp(buf, "or") && coord_log_level_parse(buf) == level)
			return buf;
		p += n;
		p += strspn(p, ", ");
	}
	return NULL;
}

/* The default of one key, as its line in coordd.conf would spell it. */
static const char *default_text(const struct config_key *k, const struct coord_config *cfg,
				char *buf, size_t len)
{
	const void *field = (const char *)cfg + k->offset;
	const char *no;

	switch (k->type) {
	case KEY_NUMBER:
		snprintf(buf, len, "%u", *(const uint32_t *)field);
		return buf;
	case KEY_TEXT:
	case KEY_LISTEN:
		return field;
	case KEY_VIP:
		return "-";
	case KEY_POLICY:
		return coord_policy_name(cfg->deadline_policy);
	case KEY_LEVEL:
		return level_word(k->expect, cfg->log_level, buf, len);
	case KEY_CHOICE:
		/* expect is "YES or NO", as set_value reads it */
		no = strrchr(k->expect, ' ') + 1;
		if (*(const bool *)field)
			snprintf(buf, len, "%.*s", (int)strcspn(k->expect, " "), k->expect);
		else
			snprintf(buf, len, "%s", no);
		return buf;
	}
	return NULL;
}

static const char *const type_names[] = {
	[KEY_NUMBER] = "number", [KEY_TEXT] = "text", [KEY_VIP] = "vip",
	[KEY_POLICY] = "policy", [KEY_LEVEL] = "level", [KEY_LISTEN] = "listen",
	[KEY_CHOICE] = "choice",
};

/* Every name of an enumeration whose values are 0..255: "unknown" is none. */
static void names(const char *kind, const char *(*name)(uint8_t))
{
	unsigned v;

	for (v = 0; v < 256; v++)
		if (strcmp(name((uint8_t)v), "unknown"))
			printf("enum\t%s\t%u\t%s\n", kind, v, name((uint8_t)v));
}

/* The same where "unknown" is a value, below count. */
static void names_to(const char *kind, const char *(*name)(uint8_t), unsigned count)
{
	unsigned v;

	for (v = 0; v < count; v++)
		printf("enum\t%s\t%u\t%s\n", kind, v, name((uint8_t)v));
}

static const char *status_name(uint8_t v) { return coord_ctl_status_name(v); }

static int print_metrics(void)
{
	static char text[COORD_METRICS_TEXT_MAX];
	struct coord_engine_config ec = {
		.nodeid = 1, .incarnation = 1, .deadline_us = 30000000,
		.policy = COORD_POLICY_RELEASE, .release_max_attempts = 1,
	};
	struct coord_daemon_status st = {
		.group = "ganesha-grace", .policy = ec.policy, .deadline_ms = 30000,
		.heartbeat_age_us = 1,	/* its gauge is there once one came */
	};
	struct coord_engine *e = coord_engine_new(&ec);
	struct coord_metrics *m = coord_metrics_new();
	int len;

	if (!e || !m || coord_process_read(&st.process) < 0)
		return 1;
	len = coord_metrics_render(m, e, &st, text, sizeof(text));
	coord_metrics_free(m);
	coord_engine_free(e);
	if (len < 0)
		return 1;
	fputs(text, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct coord_config cfg;
	char buf[64];
	const char *def;
	size_t i;
	unsigned t;

	if (argc > 1)
		return argc == 2 && !strcmp(argv[1], "metrics") ? print_metrics() : 2;
	coord_config_defaults(&cfg);
	for (i = 0; i < N_KEYS; i++) {
		def = default_text(&keys[i], &cfg, buf, sizeof(buf));
		if (!def) {
			fprintf(stderr, "doc_facts: no default for key %s\n", keys[i].name);
			return 1;
		}
		printf("key\t%s\t%s\t%s", keys[i].name, type_names[keys[i].type], def);
		if (keys[i].type == KEY_NUMBER)
			printf("\t%u\t%u%s", keys[i].min, keys[i].max,
			       keys[i].flags & NUMBER_ZERO_OFF ? "\tzero-off" : "");
		putchar('\n');
	}
	/* Requests are the types below the records' 0x8000. */
	for (t = 1; t < COORD_CTL_REC_END; t++)
		if (strcmp(coord_ctl_type_name((uint16_t)t), "unknown"))
			printf("request\t%u\t%s\n", t, coord_ctl_type_name((uint16_t)t));
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("command\t%s\t%s\n", commands[i].name, commands[i].text_only ? "text" : "json");
	names_to("status", status_name, COORD_CTL_STATUS_COUNT);
	names_to("local-state", coord_ctl_local_state_name, COORD_CTL_LOCAL_STATE_COUNT);
	names_to("local-how", coord_ctl_local_how_name, COORD_CTL_LOCAL_HOW_COUNT);
	names("target", coord_target_why_name);
	names("target-why", coord_metrics_target_reason);
	names("policy", coord_policy_name);
	names("event-state", coord_event_state_name);
	names("death-reason", coord_death_reason_name);
	names("release-outcome", coord_release_outcome_name);
	names("survivor-state", coord_survivor_state_name);
	names("ack-result", coord_ack_result_name);
	names("leave-reason", coord_leave_reason_name);
	printf("version\twire\t%d.%d\n", COORD_PROTO_MAJOR, COORD_PROTO_MINOR);
	printf("version\tcontrol\t%d.%d\n", COORD_CTL_MAJOR, COORD_CTL_MINOR);
	return 0;
}
