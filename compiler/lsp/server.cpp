// The LSP message handler: lifecycle, document sync with debounced diagnostics, and the
// requests of features.h. A bad message is answered with an error, never allowed to end the loop.
#include "compiler/lsp/server.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "compiler/lsp/features.h"
#include "compiler/lsp/transport.h"

namespace healthc::lsp {
namespace {

using nlohmann::json;

// JSON-RPC and LSP error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kServerNotInitialized = -32002;

struct RpcError : std::runtime_error {
  RpcError(int c, const std::string& m) : std::runtime_error(m), code(c) {}
  int code;
};

json response(const json& id, json result) { return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}; }

json error(const json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json notify(const std::string& method, json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

const std::string& uri_of(const json& params) {
  const json& u = params.at("textDocument").at("uri");
  if (!u.is_string()) throw std::invalid_argument("textDocument.uri is not a string");
  return u.get_ref<const std::string&>();
}

json capabilities() {
  return {{"positionEncoding", "utf-16"},
          {"textDocumentSync", {{"openClose", true}, {"change", 1}}},
          {"hoverProvider", true},
          {"definitionProvider", true},
          {"referencesProvider", true},
          {"documentSymbolProvider", true},
          {"completionProvider", {{"triggerCharacters", json::array({"."})}}},
          {"documentFormattingProvider", true},
          {"codeActionProvider", {{"codeActionKinds", json::array({"quickfix"})}}}};
}

// Applies one contentChanges entry: the whole text, or (from clients that send them anyway) a range.
void apply_change(std::string& text, const json& change) {
  const json& t = change.at("text");
  if (!t.is_string()) throw std::invalid_argument("contentChanges[].text is not a string");
  if (!change.contains("range")) {
    text = t.get<std::string>();
    return;
  }
  const Range r = range_from_json(change.at("range"));
  const LineIndex lines(text);
  uint32_t b = lines.offset(r.start), e = lines.offset(r.end);
  if (e < b) std::swap(b, e);
  text.replace(b, e - b, t.get_ref<const std::string&>());
}

}  // namespace

std::string uri_to_path(std::string_view uri) {
  if (uri.substr(0, 7) != "file://") return std::string(uri);
  uri.remove_prefix(7);
  std::string out;
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size()) {
      const std::string hex(uri.substr(i + 1, 2));
      char* end = nullptr;
      const long v = std::strtol(hex.c_str(), &end, 16);
      if (hex.size() == 2 && end == hex.c_str() + 2) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += uri[i];
  }
  return out;
}

const Analysis& Server::analyse(const std::string& uri, Document& d, Clock::time_point now) {
  if (!d.analysis) {
    d.analysis = std::make_shared<const Analysis>(uri_to_path(uri), d.text);
    d.analysed_at = now;
  }
  return *d.analysis;
}

void Server::publish(const std::string& uri, Document& d, Outbox& out, Clock::time_point now) {
  const Analysis& a = analyse(uri, d, now);
  d.due.reset();
  out.push_back(notify("textDocument/publishDiagnostics",
                       {{"uri", uri}, {"version", d.version}, {"diagnostics", diagnostics(a, uri)}}));
}

Server::Document* Server::find(const json& params) {
  const auto it = docs_.find(uri_of(params));
  return it == docs_.end() ? nullptr : &it->second;
}

const Analysis* Server::analysis(const std::string& uri) {
  const auto it = docs_.find(uri);
  return it == docs_.end() ? nullptr : &analyse(uri, it->second, Clock::now());
}

std::optional<Server::Clock::time_point> Server::next_due() const {
  std::optional<Clock::time_point> due;
  for (const auto& [uri, d] : docs_)
    if (d.due && (!due || *d.due < *due)) due = d.due;
  return due;
}

void Server::tick(Clock::time_point now, Outbox& out) {
  for (auto& [uri, d] : docs_)
    if (d.due && *d.due <= now) publish(uri, d, out, now);
}

void Server::notification(const std::string& method, const json& params, Outbox& out, Clock::time_point now) {
  if (method == "exit") {
    exited_ = true;
    return;
  }
  if (!initialized_ || shutdown_) return;
  if (method == "textDocument/didOpen") {
    const json& td = params.at("textDocument");
    Document& d = docs_[uri_of(params)];
    d = Document{};
    d.text = td.at("text").get<std::string>();
    if (td.contains("version") && td["version"].is_number_integer()) d.version = td["version"].get<int64_t>();
    publish(td.at("uri").get<std::string>(), d, out, now);
  } else if (method == "textDocument/didChange") {
    Document* d = find(params);
    if (!d) return;
    const json& changes = params.at("contentChanges");
    if (!changes.is_array()) throw std::invalid_argument("contentChanges is not an array");
    for (const json& c : changes) apply_change(d->text, c);
    const json& td = params.at("textDocument");
    if (td.contains("version") && td["version"].is_number_integer()) d->version = td["version"].get<int64_t>();
    d->analysis.reset();
    // A change after a quiet spell is analysed at once; one within the debounce window of the
    // last analysis (typing) waits, and each further change pushes the wait back.
    const auto window = std::chrono::milliseconds(options_.debounce_ms);
    if (!d->due && now - d->analysed_at >= window) publish(uri_of(params), *d, out, now);
    else d->due = now + window;
  } else if (method == "textDocument/didClose") {
    const std::string uri = uri_of(params);
    if (docs_.erase(uri))
      out.push_back(notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}}));
  }
  // Any other notification ($/cancelRequest, initialized, didSave, ...) needs nothing.
}

json Server::request(const std::string& method, const json& params) {
  if (method == "initialize") {
    if (initialized_) throw RpcError(kInvalidRequest, "initialize was already sent");
    initialized_ = true;
    if (params.is_object() && params.contains("initializationOptions")) {
      const json& o = params["initializationOptions"];
      if (o.is_object() && o.contains("debounceMs") && o["debounceMs"].is_number_integer())
        options_.debounce_ms = std::clamp(o["debounceMs"].get<int>(), 0, 10000);
    }
    return {{"capabilities", capabilities()}, {"serverInfo", {{"name", "healthc"}, {"version", "0.1.0"}}}};
  }
  if (!initialized_) throw RpcError(kServerNotInitialized, "the server is not initialized");
  if (shutdown_) throw RpcError(kInvalidRequest, "the server is shutting down");
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  static const char* const kKnown[] = {"textDocument/hover", "textDocument/definition", "textDocument/references",
                                      "textDocument/documentSymbol", "textDocument/completion",
                                      "textDocument/formatting", "textDocument/codeAction"};
  if (std::find(std::begin(kKnown), std::end(kKnown), method) == std::end(kKnown))
    throw RpcError(kMethodNotFound, "unknown method " + method);
  const std::string& uri = uri_of(params);
  const auto it = docs_.find(uri);
  if (it == docs_.end()) return nullptr;  // not open: nothing to say about it
  const Analysis& a = analyse(uri, it->second, Clock::now());
  if (method == "textDocument/hover") return hover(a, position_from_json(params.at("position")));
  if (method == "textDocument/definition") return definition(a, uri, position_from_json(params.at("position")));
  if (method == "textDocument/references") {
    bool decl = true;
    if (params.contains("context") && params["context"].is_object() && params["context"].contains("includeDeclaration"))
      decl = params["context"]["includeDeclaration"].is_boolean() && params["context"]["includeDeclaration"].get<bool>();
    return references(a, uri, position_from_json(params.at("position")), decl);
  }
  if (method == "textDocument/documentSymbol") return document_symbols(a);
  if (method == "textDocument/completion") return completion(a, position_from_json(params.at("position")));
  if (method == "textDocument/formatting") return formatting(a, uri_to_path(uri));
  return code_actions(a, uri, range_from_json(params.at("range")));
}

void Server::handle(std::string_view body, Outbox& out, Clock::time_point now) {
  json msg;
  try {
    msg = json::parse(body);
  } catch (const json::exception& e) {
    out.push_back(error(nullptr, kParseError, std::string("not JSON: ") + e.what()));
    return;
  }
  if (!msg.is_object()) {
    out.push_back(error(nullptr, kInvalidRequest, "a message is a JSON object"));
    return;
  }
  const bool has_id = msg.contains("id") && (msg["id"].is_string() || msg["id"].is_number_integer());
  const json id = has_id ? msg["id"] : json(nullptr);
  if (!msg.contains("method") || !msg["method"].is_string()) {
    // A response to a request of ours (we send none), or a malformed message.
    if (!msg.contains("result") && !msg.contains("error")) out.push_back(error(id, kInvalidRequest, "no method"));
    return;
  }
  const std::string method = msg["method"].get<std::string>();
  const json params = msg.contains("params") ? msg["params"] : json::object();
  if (!has_id && msg.contains("id") && !msg["id"].is_null()) {
    out.push_back(error(nullptr, kInvalidRequest, "an id is a string or an integer"));
    return;
  }
  if (!has_id) {
    try {
      notification(method, params, out, now);
    } catch (const std::exception& e) {
      // A notification gets no answer: tell the user's log instead.
      out.push_back(notify("window/logMessage", {{"type", 1}, {"message", "healthc lsp: " + method + ": " + e.what()}}));
    }
    return;
  }
  try {
    out.push_back(response(id, request(method, params)));
  } catch (const RpcError& e) {
    out.push_back(error(id, e.code, e.what()));
  } catch (const json::exception& e) {
    out.push_back(error(id, kInvalidParams, e.what()));
  } catch (const std::invalid_argument& e) {
    out.push_back(error(id, kInvalidParams, e.what()));
  } catch (const std::exception& e) {
    out.push_back(error(id, kInternalError, e.what()));
  }
}

int run_stdio(ServerOptions options, int in_fd, int out_fd) {
  Server server(options);
  Reader reader(in_fd);
  Server::Outbox out;
  std::string body;
  for (;;) {
    int timeout = -1;
    if (const auto due = server.next_due()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*due - Server::Clock::now()).count();
      timeout = left > 0 ? static_cast<int>(left) + 1 : 0;
    }
    const Reader::Status s = reader.next(timeout, body);
    const auto now = Server::Clock::now();
    if (s == Reader::Status::Message) server.handle(body, out, now);
    else if (s == Reader::Status::BadHeader) out.push_back(error(nullptr, kParseError, "a header without Content-Length"));
    server.tick(now, out);
    for (const json& m : out)
      if (!write_all(out_fd, frame(m.dump(-1, ' ', false, json::error_handler_t::replace)))) return 1;
    out.clear();
    if (server.exited()) return server.exit_code();
    if (s == Reader::Status::Eof) return 1;  // the client went away without `exit`
  }
}

}  // namespace healthc::lsp
