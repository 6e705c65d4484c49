# SPDX-License-Identifier: GPL-2.0-or-later
# A real Prometheus in node 1 of a lab, scraping every node's coordd on
# 198.18.0.N:PORT each second; its web and API on node 1's own loopback
# (PROM_WEB).  Used by test_observe and demo_dashboard.
#   prom_lab_config N      write $LAB_DIR/prom/prometheus.yml for nodes 1..N
#   prom_lab_start         start it (its pid on stdout), data in $LAB_DIR/prom
#   promql QUERY           the result vector of an instant query, as JSON
PROM_WEB=${PROM_WEB:-127.0.0.1:9090}

prom_lab_config() {
	local n targets=
	for n in $(seq 1 "$1"); do targets="$targets${targets:+, }'198.18.0.$n:$PORT'"; done
	mkdir -p "$LAB_DIR/prom/data"
	cat >"$LAB_DIR/prom/prometheus.yml" <<EOC
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: coord
    static_configs:
      - targets: [$targets]
EOC
}

prom_lab_start() {
	lab_bg 1 "$LAB_DIR/prom/prometheus.log" prometheus \
		--config.file="$LAB_DIR/prom/prometheus.yml" \
		--storage.tsdb.path="$LAB_DIR/prom/data" --web.listen-address="$PROM_WEB" \
		--storage.tsdb.retention.time=1h
}

promql() {
	lab_exec 1 curl -sf --max-time 5 "http://$PROM_WEB/api/v1/query" \
		--data-urlencode "query=$1" | jq -c '.data.result'
}
