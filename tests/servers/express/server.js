// Four Express setups with the `cors` package for `preflight check` (tests/test_cli.py).
// Usage: node server.js ORIGIN PORT_AUTH_FIRST PORT_STAR_CREDENTIALS PORT_MISSING_HEADER PORT_GOOD
// The API: GET /items -> 200; PUT /items/:id -> 401 without Authorization, else 200.
const express = require("express");
const cors = require("cors");

const [origin, authFirst, starCredentials, missingHeader, good] = process.argv.slice(2);

function requireAuth(req, res, next) {
  if (!req.headers.authorization) return res.status(401).json({ error: "unauthorized" });
  next();
}

function routes(app) {
  app.get("/items", (req, res) => res.json({ items: [] }));
  app.put("/items/:id", requireAuth, (req, res) => res.json({ id: req.params.id }));
  return app;
}

function serve(app, port, name) {
  app.listen(Number(port), "127.0.0.1", () => console.log(`${name} listening on ${port}`));
}

// 1. Authentication middleware before cors(): preflights get 401 without CORS headers.
{
  const app = express();
  app.use(requireAuth);
  app.use(cors({ origin, allowedHeaders: ["Authorization", "Content-Type"] }));
  serve(routes(app), authFirst, "auth-first");
}

// 2. origin '*' with credentials: true: `Access-Control-Allow-Origin: *` plus
//    `Access-Control-Allow-Credentials: true`, which browsers refuse for credentialed calls.
{
  const app = express();
  app.use(cors({ origin: "*", credentials: true }));
  serve(routes(app), starCredentials, "star-credentials");
}

// 3. An allowed-headers list missing the custom header the page sends (X-Request-Id).
{
  const app = express();
  app.use(cors({ origin, allowedHeaders: ["Authorization", "Content-Type"] }));
  serve(routes(app), missingHeader, "missing-header");
}

// 4. Correct: cors() first, an allowlist, the headers the page sends.
{
  const app = express();
  app.use(cors({ origin: [origin], allowedHeaders: ["Authorization", "Content-Type", "X-Request-Id"], credentials: true, maxAge: 7200 }));
  serve(routes(app), good, "good");
}
