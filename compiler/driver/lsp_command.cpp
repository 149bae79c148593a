// `healthc lsp [--stdio] [--debounce-ms N]`: the language server on stdin and stdout (compiler/lsp/).
#include <unistd.h>

#include <csignal>

#include "compiler/driver/cli.h"
#include "compiler/lsp/server.h"

namespace healthc::driver {

int run_lsp(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("stdio", po::bool_switch(), "talk LSP over stdin and stdout (the only transport; editors pass it)")
      ("debounce-ms", po::value<int>()->default_value(150),
       "a change within this many ms of the last analysis waits for the typing to pause");
  po::positional_options_description pos;
  po::variables_map vm;
  int code = kExitOk;
  if (!parse_options("lsp", "[options]\n\nServes the Language Server Protocol on stdin and stdout: diagnostics, hover,\n"
                     "definition, references, symbols, completion, formatting and quick fixes for .health files.",
                     opts, pos, args, vm, code))
    return code;
  const int debounce = vm["debounce-ms"].as<int>();
  if (debounce < 0 || debounce > 10000) return usage_error("lsp", "--debounce-ms must be from 0 to 10000");
  // An editor that closes the pipe ends the session: a failed write says so, not SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  return lsp::run_stdio(lsp::ServerOptions{debounce}, STDIN_FILENO, STDOUT_FILENO);
}

}  // namespace healthc::driver
