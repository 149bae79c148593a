// An event consumer: account events arrive as JSON Lines on stdin (each a partial update of one
// account: its key and the fields that changed); the consumer keeps each account's latest
// fields, rescores the account on every event and prints band changes, e.g.
//   acme: watch -> at_risk (score 58 -> 41)
// The first score of an account prints as `acme: at_risk (score 41)`. An account whose fields
// are not yet complete is reported on stderr and scored when they are.
//
// Usage: event_consumer CARD [AS_OF]   (CARD: a .health file, or an artefact from
//        `healthc compile CARD --emit shared -o card.so`)
#include <healthc/healthc.hpp>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unordered_map>

namespace {

struct Account {
  nlohmann::json fields = nlohmann::json::object();  // the latest value of every field seen
  bool scored = false;
  std::string band;
  nlohmann::json score;  // a number, or null when unscored
};

std::string score_text(const nlohmann::json& score) { return score.is_null() ? "unscored" : score.dump(); }

healthc::Card open_card(const std::string& path) {
  if (path.size() > 7 && path.compare(path.size() - 7, 7, ".health") == 0) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw healthc::Error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    return healthc::Card::compile(text.str(), path);
  }
  return healthc::Card::load(path);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: event_consumer CARD [AS_OF] < events.jsonl\n";
    return 2;
  }
  const std::string as_of = argc == 3 ? argv[2] : "";
  try {
    const healthc::Card card = open_card(argv[1]);
    const std::string key = card.field_name(static_cast<size_t>(card.key_field()));
    std::unordered_map<std::string, Account> accounts;
    std::string line;
    for (size_t n = 1; std::getline(std::cin, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
      if (!event.is_object() || !event.contains(key) || !event[key].is_string()) {
        std::cerr << "event " << n << ": not an object with a `" << key << "` string, skipped\n";
        continue;
      }
      const std::string id = event[key].get<std::string>();
      Account& account = accounts[id];
      account.fields.update(event);  // the event's fields replace the old ones
      const healthc::JsonScore result = card.score_json(account.fields.dump(), as_of);
      const nlohmann::json scored = nlohmann::json::parse(result.json);
      if (result.rejected) {
        std::cerr << id << ": not scored: " << scored["rejected"].get<std::string>() << "\n";
        continue;
      }
      const std::string band = scored["band"].get<std::string>();
      if (!account.scored) {
        std::cout << id << ": " << band << " (score " << score_text(scored["score"]) << ")\n";
      } else if (band != account.band) {
        std::cout << id << ": " << account.band << " -> " << band << " (score " << score_text(account.score) << " -> "
                  << score_text(scored["score"]) << ")\n";
      }
      account.scored = true;
      account.band = band;
      account.score = scored["score"];
    }
  } catch (const healthc::CompileError& e) {
    std::cerr << e.diagnostics().text();
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "event_consumer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
