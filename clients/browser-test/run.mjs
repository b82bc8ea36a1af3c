// Opens browser-test/index.html in Debian's headless Chromium, served from its own origin
// (127.0.0.1:<page-port>), and reports what the page shows after calling chat-proxy.
//
//   node browser-test/run.mjs --proxy http://127.0.0.1:8080 --attendee att_1 \
//     --page-port 5173 --expect loaded --screenshot ../target/browser/allowed.png \
//     [--traceparent 00-<trace id>-<span id>-01]
//
// Exits 0 when the page ends in the expected state ("loaded", "problem" or "failed").
// Needs `npm ci` and `tsc -p typescript` (the page imports typescript/dist/index.js).
// Playwright never downloads a browser here: it drives /usr/bin/chromium (or $CHROMIUM).
import { createServer } from "node:http";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values: options } = parseArgs({
  options: {
    proxy: { type: "string" },
    attendee: { type: "string", default: "att_1" },
    "page-port": { type: "string" },
    expect: { type: "string", default: "loaded" },
    screenshot: { type: "string" },
    // live updates: once the page has subscribed, post this webhook body with this secret
    "webhook-secret": { type: "string" },
    "webhook-body": { type: "string" },
    traceparent: { type: "string" },
  },
});
const clients = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = {
  "/": ["browser-test/index.html", "text/html"],
  "/client/index.js": ["typescript/dist/index.js", "text/javascript"],
  "/vendor/openapi-fetch.mjs": ["node_modules/openapi-fetch/dist/index.mjs", "text/javascript"],
};

const server = createServer((request, response) => {
  const file = files[new URL(request.url, "http://page").pathname];
  if (!file) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "Content-Type": file[1] }).end(readFileSync(join(clients, file[0])));
});
await new Promise((resolve) => server.listen(Number(options["page-port"]), "127.0.0.1", resolve));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
    "--disable-component-update", "--disable-sync"],
});
let result;
try {
  const page = await browser.newPage();
  const console_ = [];
  page.on("console", (message) => console_.push(message.text()));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const live = options["webhook-body"] !== undefined;
  const traceparent = options.traceparent ? `&traceparent=${encodeURIComponent(options.traceparent)}` : "";
  await page.goto(`${origin}/?proxy=${encodeURIComponent(options.proxy)}&attendee=${encodeURIComponent(options.attendee)}${traceparent}`
    + (live ? "&live" : ""));
  await page.waitForSelector("#status[data-state]", { timeout: 20000 });
  if (live) {
    await page.waitForSelector('#live[data-state="subscribed"]', { timeout: 20000 });
    const webhook = await fetch(`${options.proxy}/webhooks/postpress`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Webhook-Secret": options["webhook-secret"] },
      body: options["webhook-body"],
    });
    if (webhook.status !== 200) {
      throw new Error(`webhook answered ${webhook.status}`);
    }
    await page.waitForSelector('#live[data-state="updated"]', { timeout: 20000 });
  }
  result = {
    origin,
    state: await page.getAttribute("#status", "data-state"),
    status: await page.textContent("#status"),
    chats: await page.locator("#chats li").allTextContents(),
    live: await page.textContent("#live"),
    console: console_,
  };
  if (options.screenshot) {
    mkdirSync(dirname(options.screenshot), { recursive: true });
    await page.screenshot({ path: options.screenshot, fullPage: true });
  }
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(result));
process.exit(result.state === options.expect ? 0 : 1);
