#!/usr/bin/env bash
# deploy/nginx-ponte.conf as it ships, run on loopback in front of `ponte serve` with a
# self-signed certificate: a login, a page and the federation inbox go through it over TLS
# with HSTS; plain HTTP is redirected; /metrics is not reachable through it.
# Needs nginx (nginx-light) and openssl, which scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/../.."
PONTE=${PONTE_BIN:-build/ponte}
command -v nginx >/dev/null || { echo "proxy: nginx is missing (scripts/setup.sh installs it)" >&2; exit 1; }
T=$(mktemp -d /tmp/ponte-proxy-XXXXXX)
SERVE_PID= NGINX_PID=
cleanup() {
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
	[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "proxy: FAIL: $*" >&2; [ -f "$T/error.log" ] && tail -5 "$T/error.log" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

TLS_PORT=$(free_port); HTTP_PORT=$(free_port); APP_PORT=$(free_port)
HOST=ponte.test
URL="https://$HOST:$TLS_PORT"
"$PONTE" init --db "$T/p.db" --demo >/dev/null 2>&1
PONTE_PUBLIC_URL="$URL" "$PONTE" serve --db "$T/p.db" --listen "127.0.0.1:$APP_PORT" 2>"$T/serve.log" &
SERVE_PID=$!
for _ in $(seq 100); do grep -q '"listening"' "$T/serve.log" && break; sleep 0.1; done
grep -q '"listening"' "$T/serve.log" || fail "ponte serve did not start: $(cat "$T/serve.log")"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" \
	-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
# The shipped site, with only its addresses, names and paths changed for loopback.
sed -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" -e '/listen \[::\]/d' \
	-e "s|listen 443 ssl http2;|listen 127.0.0.1:$TLS_PORT ssl http2;|" \
	-e "s|ponte.example.org|$HOST|g" \
	-e "s|/etc/letsencrypt/live/$HOST/fullchain.pem|$T/cert.pem|" \
	-e "s|/etc/letsencrypt/live/$HOST/privkey.pem|$T/key.pem|" \
	-e "s|/var/www/letsencrypt|$T/www|" \
	-e "s|http://127.0.0.1:8080|http://127.0.0.1:$APP_PORT|" \
	deploy/nginx-ponte.conf >"$T/site.conf"
grep -q "127.0.0.1:$APP_PORT" "$T/site.conf" || fail "the site configuration changed shape"
mkdir -p "$T/www"
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root root;"
cat >"$T/nginx.conf" <<CONF
$USER_LINE
worker_processes 1;
pid $T/nginx.pid;
error_log $T/error.log;
events { worker_connections 64; }
http {
	access_log $T/access.log;
	client_body_temp_path $T/body;
	proxy_temp_path $T/proxy;
	fastcgi_temp_path $T/fastcgi;
	uwsgi_temp_path $T/uwsgi;
	scgi_temp_path $T/scgi;
	include $T/site.conf;
}
CONF
nginx -t -q -c "$T/nginx.conf" -p "$T" -g 'daemon off;' 2>"$T/nginx-t.log" || fail "nginx -t: $(cat "$T/nginx-t.log")"
nginx -c "$T/nginx.conf" -p "$T" -g 'daemon off;' &
NGINX_PID=$!
C=(curl -sS --cacert "$T/cert.pem" --resolve "$HOST:$TLS_PORT:127.0.0.1" --resolve "$HOST:$HTTP_PORT:127.0.0.1" --max-time 10)
for _ in $(seq 50); do "${C[@]}" -o /dev/null "$URL/login" 2>/dev/null && break; sleep 0.1; done

# 1. A page over TLS, with HSTS.
"${C[@]}" -D "$T/h1" -o "$T/b1" "$URL/login"
grep -q "^HTTP/2 200" "$T/h1" || fail "GET /login: $(head -1 "$T/h1")"
grep -qi "^strict-transport-security: max-age=63072000" "$T/h1" || fail "no HSTS on /login"
grep -q 'name="password"' "$T/b1" || fail "the login page did not come from Ponte"
# 2. A login: the session cookie is Secure, since Ponte knows it is behind TLS.
"${C[@]}" -D "$T/h2" -o /dev/null -H "Cookie: x=1" --data "email=case.worker@demo.ponte.example&password=Ponte-demo-Lisboa-2026" "$URL/login"
grep -q "^HTTP/2 303" "$T/h2" || fail "POST /login: $(head -1 "$T/h2")"
COOKIE=$(grep -i "^set-cookie:" "$T/h2" | head -1 | sed -e 's/^[Ss]et-[Cc]ookie: //' -e 's/;.*//')
grep -i "^set-cookie:" "$T/h2" | grep -q "Secure" || fail "the session cookie is not Secure"
# 3. A page as the signed-in user.
"${C[@]}" -D "$T/h3" -o "$T/b3" -H "Cookie: $COOKIE" "$URL/cases"
grep -q "^HTTP/2 200" "$T/h3" || fail "GET /cases signed in: $(head -1 "$T/h3")"
grep -q 'action="/logout"' "$T/b3" || fail "GET /cases is not the signed-in page"
# 4. The federation inbox: Ponte's own refusal of a message that is not one (not nginx's 502).
"${C[@]}" -D "$T/h4" -o "$T/b4" -H "Content-Type: application/json" --data '{"not":"an envelope"}' "$URL/fed/v1/inbox"
STATUS=$(head -1 "$T/h4" | awk '{print $2}')
case $STATUS in 4??) ;; *) fail "POST /fed/v1/inbox: $STATUS" ;; esac
grep -qi "^content-type: application/json" "$T/h4" || fail "the inbox's answer did not come from Ponte"
# 5. Plain HTTP goes to HTTPS; /metrics stays on the server.
"${C[@]}" -D "$T/h5" -o /dev/null "http://$HOST:$HTTP_PORT/login"
grep -q "^HTTP/1.1 301" "$T/h5" && grep -qi "^location: https://$HOST/login" "$T/h5" || fail "plain HTTP is not redirected"
"${C[@]}" -D "$T/h6" -o /dev/null "$URL/metrics"
grep -q "^HTTP/2 404" "$T/h6" || fail "/metrics is reachable through the proxy"
echo "proxy: ok (TLS, HSTS, login, a page, the federation inbox, redirect, /metrics closed)"
