#!/usr/bin/env bash
# Walks through the life of a link against the running local API (start it
# with make run in another terminal), printing each request and its response.
#
# Environment: PORT (local API, default 3000), DCSIM_PORT (simulated Data
# Center, default 8099).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

api="http://127.0.0.1:${PORT:-3000}"
dcsim="http://127.0.0.1:${DCSIM_PORT:-8099}"
devtoken="$root/.local/bin/devtoken"

status=""
body=""

step() { printf '\n== %s\n' "$*"; }

fail() {
  printf 'demo: %s\n' "$*" >&2
  exit 1
}

# token ORG SUB ROLES prints a local token for that actor.
token() {
  "$devtoken" -org "$1" -sub "$2" -roles "$3"
}

# call METHOD PATH TOKEN [JSON] sends one request to the local API and sets
# status and body. An empty TOKEN sends no Authorization header.
call() {
  local method=$1 path=$2 bearer=$3 data=${4:-}
  local args=(-sS -X "$method" -w '\n%{http_code}' "$api$path")
  [[ -n $bearer ]] && args+=(-H "Authorization: Bearer $bearer")
  [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data "$data")

  local out
  out=$(curl "${args[@]}") || fail "$method $path: curl failed; is the local API running (make run)?"
  status=${out##*$'\n'}
  body=${out%$'\n'*}
  printf '%s %s -> %s\n' "$method" "$path" "$status"
  if [[ -n $body ]]; then
    if command -v jq >/dev/null; then jq . <<<"$body" 2>/dev/null || echo "$body"; else echo "$body"; fi
  fi
}

# expect STATUS fails the demo unless the last call returned STATUS.
expect() {
  [[ $status == "$1" ]] || fail "expected status $1, got $status"
}

step "Build the token tool"
mkdir -p "$root/.local/bin"
go build -o "$devtoken" ./scripts/devtoken

step "The simulated Data Center is up"
curl -fsS "$dcsim/_sim/stats" || fail "no response from $dcsim; is the stack running (make run)?"
echo

step "A request without a token is rejected by the authorizer"
call GET /connectors ""
expect 401

step "An organization admin lists the connected sources"
admin=$(token org-demo alice "org-admin")
call GET /connectors "$admin"
expect 200

# json FIELD reads a top-level string field of the last body.
json() {
  python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" <<<"$body"
}

org=org-demo
site=site-demo

step "The organization admin registers a site"
call PUT "/sites/$site" "$admin" '{"name":"Demo Cloud site","url":"https://demo.atlassian.net"}'
[[ $status == 201 || $status == 200 ]] || fail "expected 200 or 201, got $status"

step "The organization admin registers the Data Center instance (the key is shown once)"
call POST /connectors "$admin" "{\"name\":\"Demo Jira Data Center\",\"product\":\"jira\",\"version\":\"11.3.0\",\"displayUrl\":\"$dcsim\",\"network\":\"public\"}"
expect 201
connector=$(json id)
key=$(json connectorKey)

step "The Data Center admin installs the connector key in the instance"
curl -fsS -X POST -H 'Content-Type: application/json' --data "{\"key\":\"$key\"}" "$dcsim/_sim/connectors/$connector"
echo

site_admin=$(token $org bob "site-admin:$site")
dc_admin=$(token $org carol "dc-admin:$connector")
app=$(token $org demo-app "site-app:$site")

step "A version below the minimum is refused"
call PATCH "/connectors/$connector" "$dc_admin" '{"version":"11.2.9"}'
expect 422

step "The site admin requests a link with scopes"
call POST /links "$site_admin" "{\"siteId\":\"$site\",\"connectorId\":\"$connector\",\"scopes\":[\"read\",\"WRITE\"]}"
expect 201
link=$(json id)

step "The Data Center admin lists the incoming requests"
call GET "/connectors/$connector/link-requests" "$dc_admin"
expect 200

step "Accepting with other scopes is refused, naming the difference"
call POST "/links/$link/accept" "$dc_admin" '{"scopes":["READ"]}'
expect 422

step "The Data Center admin accepts the requested scopes"
call POST "/links/$link/accept" "$dc_admin" '{"scopes":["WRITE","READ"]}'
expect 200

step "The site admin views the link"
call GET "/links/$link" "$site_admin"
expect 200

step "The site's application obtains an access token through the broker"
call POST "/links/$link/token" "$app"
expect 200

step "The site admin rotates the credential (asynchronous)"
call POST "/links/$link/rotate" "$site_admin"
expect 202

step "Wait until the rotation completes"
for _ in $(seq 1 60); do
  call GET "/links/$link" "$site_admin" >/dev/null
  state=$(python3 -c 'import json,sys; print(json.load(sys.stdin).get("rotation",{}).get("state",""))' <<<"$body")
  [[ $state == COMPLETED || $state == FAILED ]] && break
  sleep 0.5
done
call GET "/links/$link" "$site_admin"
[[ $state == COMPLETED ]] || fail "rotation ended $state"

step "Another token, now with the new credential"
call POST "/links/$link/token" "$app"
expect 200

step "The audit trail"
call GET "/links/$link/events" "$site_admin"
expect 200

step "The site admin deletes the link; its credentials are revoked at the instance"
call DELETE "/links/$link" "$site_admin"
expect 204
sleep 2
curl -fsS "$dcsim/_sim/stats"
echo

step "Done"
