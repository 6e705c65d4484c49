/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vip_watch: during a failover in the lab, samples every few milliseconds
 * which node holds a VIP and whether that node's real ganesha is in grace,
 * from where it matters: the address on the node's interface (an
 * RTM_GETADDR dump in the node's network namespace) and the server's own
 * answer to org.ganesha.nfsd.admin.get_grace on the node's system bus.
 *
 * Usage: vip_watch --vip IP [--origin N] [--interval-ms MS]
 *                  [--duration-ms MS] [--stale-ms MS] N:NETNS_PATH:BUS_SOCKET...
 * Runs until SIGTERM/SIGINT (or the duration), then prints a verdict.
 * Lines (times in CLOCK_REALTIME microseconds):
 *   <us> vip holder=<N[,N]|none>                  the VIP's location changed
 *   <us> grace node=<N> state=<true|false|noanswer>  a node's answer changed
 *   <us> bad holder=<N> state=<...>              a holder out of grace begins
 *   verdict=<clean|violation> samples=<n> max_gap_ms=<g> ... violators=<N,..>
 * A holder is "out of grace" when its latest answer is not true, or when
 * its server has not answered for --stale-ms (500 by default: a stopped or
 * hung server is not in grace as far as a client is concerned, but a busy
 * machine may delay one answer by a hundred milliseconds or so).  The origin
 * (the node whose server died) is exempt: the VIP stays there, with no
 * server behind it, until coord releases it.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <dbus/dbus.h>

#define MAX_NODES 16
#define CALL_TIMEOUT_MS 2000

enum grace { G_UNKNOWN, G_TRUE, G_FALSE, G_NOANSWER };
static const char *const grace_name[] = { "unknown", "true", "false", "noanswer" };

struct node {
	int id;
	const char *sock;
	uint64_t reconnect_us;
	int nl;			/* NETLINK_ROUTE socket in the node's netns */
	DBusConnection *bus;
	DBusPendingCall *call;
	uint64_t sent_us, answered_us;
	enum grace answer;	/* latest completed answer */
	enum grace shown;	/* last state printed */
	bool bad;		/* currently a holder out of grace */
	uint64_t bad_since_us, bad_us;
	unsigned bad_samples;
	uint64_t first_bad_us, last_bad_us;
};

static struct node nodes[MAX_NODES];
static int n_nodes, origin;
static uint64_t stale_us = 500000;
static struct in_addr vip;
static volatile sig_atomic_t stopping;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* A NETLINK_ROUTE socket created inside the namespace stays bound to it. */
static int netlink_in(const char *netns_path)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int target = open(netns_path, O_RDONLY | O_CLOEXEC);
	int fd = -1;

	if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0) {
		perror(netns_path);
		goto out;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (setns(self, CLONE_NEWNET) < 0) {
		perror("setns back");
		exit(2);
	}
out:
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return fd;
}

/* Does the node's namespace carry the VIP on any interface? -1: error. */
static int holds_vip(int fd)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg a;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETADDR,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.a = { .ifa_family = AF_INET },
	};
	static char buf[32768];
	int found = 0;

	if (send(fd, &req, sizeof(req), 0) < 0)
		return -1;
	for (;;) {
		int len = (int)recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len <= 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			struct ifaddrmsg *a = NLMSG_DATA(h);
			struct rtattr *rta;
			int rl;

			if (h->nlmsg_type == NLMSG_DONE)
				return found;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			if (h->nlmsg_type != RTM_NEWADDR)
				continue;
			rl = IFA_PAYLOAD(h);
			for (rta = IFA_RTA(a); RTA_OK(rta, rl); rta = RTA_NEXT(rta, rl))
				if ((rta->rta_type == IFA_LOCAL || rta->rta_type == IFA_ADDRESS) &&
				    RTA_PAYLOAD(rta) == 4 &&
				    memcmp(RTA_DATA(rta), &vip, 4) == 0)
					found = 1;
		}
	}
}

static DBusConnection *bus_open(const char *socket_path, bool loud)
{
	char address[512];
	DBusError err;
	DBusConnection *c;

	snprintf(address, sizeof(address), "unix:path=%s", socket_path);
	dbus_error_init(&err);
	c = dbus_connection_open_private(address, &err);
	if (c && !dbus_bus_register(c, &err)) {
		dbus_connection_close(c);
		dbus_connection_unref(c);
		c = NULL;
	}
	if (!c && loud)
		fprintf(stderr, "vip_watch: %s: %s\n", address, err.message);
	dbus_error_free(&err);
	return c;
}

static void grace_send(struct node *n)
{
	DBusMessage *m = dbus_message_new_method_call("org.ganesha.nfsd",
		"/org/ganesha/nfsd/admin", "org.ganesha.nfsd.admin", "get_grace");

	if (m && dbus_connection_send_with_reply(n->bus, m, &n->call, CALL_TIMEOUT_MS) &&
	    n->call)
		n->sent_us = now_us();
	if (m)
		dbus_message_unref(m);
}

/* A node's bus went away (its dbus-daemon restarted: a reboot): reopen it,
 * at most every 100 ms; until then the node's server counts as silent. */
static bool bus_alive(struct node *n, uint64_t t)
{
	if (n->bus && dbus_connection_get_is_connected(n->bus))
		return true;
	if (n->bus) {
		if (n->call) {
			dbus_pending_call_cancel(n->call);
			dbus_pending_call_unref(n->call);
			n->call = NULL;
		}
		dbus_connection_close(n->bus);
		dbus_connection_unref(n->bus);
		n->bus = NULL;
		n->answer = G_NOANSWER;
		n->answered_us = t;
	}
	if (t - n->reconnect_us < 100000)
		return false;
	n->reconnect_us = t;
	n->bus = bus_open(n->sock, false);
	return n->bus != NULL;
}

/* Collects a completed get_grace answer; sends the next call. */
static void grace_poll(struct node *n)
{
	DBusMessage *r;
	dbus_bool_t isgrace = 0, status = 0;
	const char *error = "";

	if (!bus_alive(n, now_us()))
		return;
	dbus_connection_read_write(n->bus, 0);
	while (dbus_connection_dispatch(n->bus) == DBUS_DISPATCH_DATA_REMAINS)
		;
	if (n->call && dbus_pending_call_get_completed(n->call)) {
		r = dbus_pending_call_steal_reply(n->call);
		dbus_pending_call_unref(n->call);
		n->call = NULL;
		if (r && dbus_message_get_type(r) == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
		    dbus_message_get_args(r, NULL, DBUS_TYPE_BOOLEAN, &isgrace,
					  DBUS_TYPE_BOOLEAN, &status,
					  DBUS_TYPE_STRING, &error, DBUS_TYPE_INVALID) && status)
			n->answer = isgrace ? G_TRUE : G_FALSE;
		else
			n->answer = G_NOANSWER;
		n->answered_us = now_us();
		if (r)
			dbus_message_unref(r);
	}
	if (!n->call)
		grace_send(n);
	dbus_connection_flush(n->bus);
}

/* The state that counts now: the latest answer, unless it is stale. */
static enum grace grace_now(const struct node *n, uint64_t t)
{
	if (!n->bus)
		return G_NOANSWER;
	if (n->call && t - n->sent_us > stale_us && t - n->answered_us > stale_us)
		return G_NOANSWER;
	return n->answer;
}

static int parse_node(const char *arg, struct node *n, char **netns, char **sock)
{
	char *copy = strdup(arg), *c1, *c2;

	if (!copy || !(c1 = strchr(copy, ':')) || !(c2 = strchr(c1 + 1, ':')))
		return -1;
	*c1 = *c2 = '\0';
	n->id = atoi(copy);
	*netns = c1 + 1;
	*sock = c2 + 1;
	return n->id > 0 ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: vip_watch --vip IP [--origin N] [--interval-ms MS] "
		"[--duration-ms MS] [--stale-ms MS] N:NETNS_PATH:BUS_SOCKET...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vip", required_argument, NULL, 'v' },
		{ "origin", required_argument, NULL, 'o' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "duration-ms", required_argument, NULL, 'd' },
		{ "stale-ms", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned interval_ms = 5, duration_ms = 0, samples = 0, i;
	uint64_t start, last_sample = 0, max_gap = 0, t;
	char prev_holders[64] = "?";
	struct sigaction sa = { .sa_handler = on_signal };
	bool have_vip = false, violation = false;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'v': have_vip = inet_pton(AF_INET, optarg, &vip) == 1; break;
		case 'o': origin = atoi(optarg); break;
		case 'i': interval_ms = (unsigned)atoi(optarg); break;
		case 'd': duration_ms = (unsigned)atoi(optarg); break;
		case 's': stale_us = (uint64_t)atoi(optarg) * 1000u; break;
		default: usage();
		}
	}
	if (!have_vip || optind >= argc || argc - optind > MAX_NODES)
		usage();
	for (; optind < argc; optind++) {
		struct node *n = &nodes[n_nodes++];
		char *netns, *sock;

		if (parse_node(argv[optind], n, &netns, &sock) < 0)
			usage();
		n->nl = netlink_in(netns);
		n->sock = sock;
		n->bus = bus_open(sock, true);
		if (n->nl < 0 || !n->bus)
			return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a bus that vanished is handled, not fatal */
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Every node's first answer (or silence) before the first sample. */
	start = now_us();
	for (;;) {
		bool all = true;

		for (i = 0; i < (unsigned)n_nodes; i++) {
			grace_poll(&nodes[i]);
			all = all && nodes[i].answer != G_UNKNOWN;
		}
		if (all || now_us() - start > 2 * stale_us)
			break;
		usleep(1000);
	}
	for (i = 0; i < (unsigned)n_nodes; i++)
		if (nodes[i].answer == G_UNKNOWN)
			nodes[i].answer = G_NOANSWER;
	start = now_us();
	while (!stopping && (!duration_ms || now_us() - start < duration_ms * 1000ull)) {
		char holders[64] = "";

		for (i = 0; i < (unsigned)n_nodes; i++)
			grace_poll(&nodes[i]);
		t = now_us();
		for (i = 0; i < (unsigned)n_nodes; i++) {
			struct node *n = &nodes[i];
			enum grace g = grace_now(n, t);
			int h = holds_vip(n->nl);
			bool bad;

			if (h < 0) {
				fprintf(stderr, "vip_watch: netlink dump failed on node %d\n", n->id);
				return 2;
			}
			if (h)
				snprintf(holders + strlen(holders), sizeof(holders) - strlen(holders),
					 "%s%d", holders[0] ? "," : "", n->id);
			if (g != n->shown && g != G_UNKNOWN) {
				printf("%llu grace node=%d state=%s\n", (unsigned long long)t, n->id,
				       grace_name[g]);
				n->shown = g;
			}
			bad = h && n->id != origin && g != G_TRUE;
			if (bad && !n->bad) {
				printf("%llu bad holder=%d state=%s\n", (unsigned long long)t, n->id,
				       grace_name[g]);
				n->bad_since_us = t;
				if (!n->first_bad_us)
					n->first_bad_us = t;
			}
			if (!bad && n->bad)
				n->bad_us += t - n->bad_since_us;
			if (bad) {
				n->bad_samples++;
				n->last_bad_us = t;
				violation = true;
			}
			n->bad = bad;
		}
		if (!holders[0])
			strcpy(holders, "none");
		if (strcmp(holders, prev_holders)) {
			printf("%llu vip holder=%s\n", (unsigned long long)t, holders);
			strcpy(prev_holders, holders);
		}
		if (last_sample && t - last_sample > max_gap)
			max_gap = t - last_sample;
		last_sample = t;
		samples++;
		usleep(interval_ms * 1000);
	}

	printf("verdict=%s samples=%u max_gap_ms=%llu watched_ms=%llu holder=%s violators=",
	       violation ? "violation" : "clean", samples,
	       (unsigned long long)(max_gap / 1000),
	       (unsigned long long)((now_us() - start) / 1000), prev_holders);
	for (i = 0, o = 0; i < (unsigned)n_nodes; i++)
		if (nodes[i].first_bad_us)
			printf("%s%d", o++ ? "," : "", nodes[i].id);
	printf("\n");
	for (i = 0; i < (unsigned)n_nodes; i++) {
		struct node *n = &nodes[i];

		if (!n->first_bad_us)
			continue;
		if (n->bad)
			n->bad_us += last_sample - n->bad_since_us;
		printf("violation node=%d first=%llu last=%llu out_of_grace_ms=%llu samples=%u\n",
		       n->id, (unsigned long long)n->first_bad_us,
		       (unsigned long long)n->last_bad_us,
		       (unsigned long long)(n->bad_us / 1000), n->bad_samples);
	}
	for (i = 0; i < (unsigned)n_nodes; i++) {
		close(nodes[i].nl);
		if (!nodes[i].bus)
			continue;
		dbus_connection_close(nodes[i].bus);
		dbus_connection_unref(nodes[i].bus);
	}
	return violation ? 1 : 0;
}
