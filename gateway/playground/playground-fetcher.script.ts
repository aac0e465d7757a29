/**
 * Browser script of the playground page (plain ES2020, runs as is): the GraphiQL fetcher.
 * Queries and mutations go over HTTP POST with the headers editor's headers; subscriptions go
 * over graphql-ws, whose only credential is `connectionParams.apiKey`, so the `X-API-Key`
 * header of the editor is sent there (a new connection whenever the key changes). With no key
 * nothing is sent: the answer says where the key goes.
 * Needs the graphql-ws UMD build (global `graphqlWs`) loaded before it.
 */
export const PLAYGROUND_FETCHER_SCRIPT = String.raw`
(function () {
  'use strict';
  var endpoint = new URL(document.currentScript.getAttribute('data-endpoint'), location.href);
  var wsUrl = endpoint.href.replace(/^http/, 'ws');
  var client = null;
  var clientKey = null;

  function apiKeyOf(headers) {
    var names = Object.keys(headers || {});
    for (var i = 0; i < names.length; i += 1) {
      if (names[i].toLowerCase() === 'x-api-key' && typeof headers[names[i]] === 'string') return headers[names[i]];
    }
    return undefined;
  }

  function wsClientFor(apiKey) {
    if (client && clientKey === apiKey) return client;
    if (client) client.dispose();
    clientKey = apiKey;
    client = graphqlWs.createClient({
      url: wsUrl,
      lazy: true,
      retryAttempts: 0,
      connectionParams: function () { return apiKey === undefined ? {} : { apiKey: apiKey }; },
    });
    return client;
  }

  function operationTypeOf(documentAST, operationName) {
    var definitions = (documentAST && documentAST.definitions) || [];
    var operations = definitions.filter(function (d) { return d.kind === 'OperationDefinition'; });
    var chosen = operationName
      ? operations.find(function (d) { return d.name && d.name.value === operationName; })
      : operations[0];
    return chosen ? chosen.operation : 'query';
  }

  function errorsOf(error) {
    if (Array.isArray(error)) return error;
    if (error && typeof error.code === 'number') {
      var reason = error.code === 4403 ? 'the API key in the headers (X-API-Key) was refused' : (error.reason || 'connection closed');
      return [{ message: 'websocket closed (' + error.code + '): ' + reason }];
    }
    return [{ message: error && error.message ? error.message : String(error) }];
  }

  async function* subscribe(apiKey, params) {
    try {
      var results = wsClientFor(apiKey).iterate({ query: params.query, variables: params.variables, operationName: params.operationName || undefined });
      for await (var result of results) yield result;
    } catch (error) {
      yield { errors: errorsOf(error) };
    }
  }

  // Without a key the server can only refuse; say what to do instead (the page opens this way,
  // and GraphiQL fetches the schema at once).
  function noKeyResult(operationName) {
    var what = operationName ? operationName : 'The operation';
    return {
      errors: [{
        message: what + ' was not sent: no API key yet. Put it into the Headers tab ("X-API-Key"), then re-fetch the schema (the circular-arrows button, or Shift-Ctrl-R).',
        extensions: { code: 'UNAUTHENTICATED' },
      }],
    };
  }

  async function* refuseWithoutKey(operationName) {
    yield noKeyResult(operationName);
  }

  window.xrayPlaygroundFetcher = function (params, options) {
    var headers = (options && options.headers) || {};
    var apiKey = apiKeyOf(headers);
    var isSubscription = operationTypeOf(options && options.documentAST, params.operationName) === 'subscription';
    if (apiKey === undefined || apiKey.trim() === '') {
      return isSubscription ? refuseWithoutKey(params.operationName) : Promise.resolve(noKeyResult(params.operationName));
    }
    if (isSubscription) return subscribe(apiKey, params);
    var requestHeaders = Object.assign({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }, headers);
    return fetch(endpoint.href, { method: 'POST', headers: requestHeaders, body: JSON.stringify(params), credentials: 'same-origin' })
      .then(function (response) {
        return response.text().then(function (text) {
          try { return JSON.parse(text); } catch (e) { return { errors: [{ message: 'HTTP ' + response.status + ': ' + text.slice(0, 200) }] }; }
        });
      });
  };
})();
`;
