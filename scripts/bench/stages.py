"""Instructions per request by stage, from a callgrind dump that instructions.sh kept (--keep DIR).

    python3 scripts/bench/stages.py DIR/scanrelay/callgrind.out.3 [REQUESTS]   # 3: the webhook dump

Each stage is the inclusive cost of the synchronous function(s) that do its work (callgrind_annotate --inclusive,
names demangled with `swift demangle --simplified`), divided by REQUESTS (1000, as instructions.sh sends). Async
functions are not used as stages: their inclusive costs are split across task resumptions. "the rest" is the total
less every stage: the middleware chain's and the handler's async frames, task switches, reference counting and
allocation outside the stages, the socket writes.
"""
import re, subprocess, sys

dump = sys.argv[1]
requests = int(sys.argv[2]) if len(sys.argv) > 2 else 1000

# (stage, [function names whose inclusive costs add up to it]); names must not call one another.
STAGES = [
    ("read + HTTP/1.1 parse", ["HTTP1Handler.receive(_:)"]),
    ("route", ["Router.route(_:)"]),
    ("verify: headers copied for the verifier", ["WebhookHeaders.init(_:)"]),
    ("verify: Standard Webhooks check (HMAC-SHA256, signature header)", ["StandardWebhooksCheck.verify(headers:body:now:)"]),
    ("  of it HMAC-SHA256 (update + finalize)", ["HMAC.update<A>(data:)", "HMAC.finalize()"]),
    ("  of it signature header parse (base64)", ["specialized SignatureHeader.init(values:)"]),
    ("decode (JSON parse + scan fields)", ["static WebhookDecoding.decode(provider:body:source:)"]),
    ("  of it JSON parse", ["specialized static JSONParser.parse(_:maximumDepth:)", "static JSONTape.parse(_:maximumDepth:)"]),
    ("dedupe (delivery key + ledger claim)", ["static DeliveryKey.make(source:deliveryId:payloadKey:body:)", "DeliveryLedger.claim(_:now:)"]),
    ("merge + store + event (ScanStore.apply)", ["ScanStore.apply(_:now:)"]),
    ("  of it event payload encode (ScanJSON)", ["specialized static ScanJSON.write(_:view:into:)"]),
    ("  of it packing (PackedScan.init)", ["specialized PackedScan.init(_:)"]),
    ("response (HTTP/1.1 head + body write)", ["HTTP1Handler.respond(with:exchange:)"]),
    ("metrics (request + webhook counters)", ["AppMetrics.recordRequest(route:method:status:duration:)", "AppMetrics.recordWebhook(source:outcome:)"]),
]

annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", dump],
                           check=True, capture_output=True, text=True).stdout
demangled = subprocess.run(["swift", "demangle", "--simplified"], input=annotated,
                           check=True, capture_output=True, text=True).stdout
inclusive, total = {}, None
for line in demangled.splitlines():
    match = re.match(r"\s*([\d,]+) \([\d. %]+\)\s+(.*)", line)
    if not match:
        continue
    cost = int(match.group(1).replace(",", ""))
    name = match.group(2)
    if name == "PROGRAM TOTALS":
        total = cost
        continue
    name = re.sub(r"^\S*?:", "", name, count=1)  # the file ("???:")
    name = re.sub(r" \[[^\]]*\]$", "", name)  # the object
    if name.endswith("'2"):
        continue  # a recursion cycle's second level: already inside the first
    inclusive[name] = max(inclusive.get(name, 0), cost)

print(f"{'stage':<66} {'instr/request':>13}")
accounted = 0
for stage, names in STAGES:
    cost = sum(inclusive.get(name, 0) for name in names)
    if not stage.startswith("  "):
        accounted += cost
    print(f"{stage:<66} {cost / requests:>13,.0f}")
print(f"{'the rest (middleware and handler async frames, task switches, ...)':<66} {(total - accounted) / requests:>13,.0f}")
print(f"{'total':<66} {total / requests:>13,.0f}")
