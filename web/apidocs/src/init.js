// Swagger UI over the server's own OpenAPI document. Requests go to the same
// origin, so a signed-in browser's session cookie goes with them; the
// server then wants the CSRF token echoed on unsafe methods, which the page
// reads from its cookie as the app does. A bearer token set under
// "Authorize" replaces the cookie for other callers.
(function () {
  'use strict';
  var csrfCookie = 'hindsight_csrf';
  var safe = { GET: true, HEAD: true, OPTIONS: true };

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return '';
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + '-' + Math.random().toString(16).slice(2);
  }

  window.ui = SwaggerUIBundle({
    url: '/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // A search box over the tags: the reference is long.
    filter: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
    withCredentials: true,
    requestInterceptor: function (req) {
      var method = (req.method || 'GET').toUpperCase();
      if (!safe[method]) {
        var token = cookie(csrfCookie);
        if (token && !req.headers['X-CSRF-Token']) req.headers['X-CSRF-Token'] = token;
        // Commands take an Idempotency-Key; one per click is what a client sends.
        if (!req.headers['Idempotency-Key']) req.headers['Idempotency-Key'] = uuid();
      }
      return req;
    },
  });
})();
