// OutputFile (temp file beside the target, renamed on commit, every write checked) and
// check_distinct (no output may be an input or another output).
#include "runtime/io/output_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace healthc::rt {
namespace {
namespace fs = std::filesystem;

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "healthc-output-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static void put(const std::string& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }
  static std::string get(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  // The names in the folder, so a test sees temp files left behind.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
};

TEST_F(OutputFileTest, ExistingFileIsReplacedOnlyAtCommit) {
  put(path("scores.csv"), "old contents\n");
  OutputFile f;
  ASSERT_EQ(f.open(path("scores.csv")), "");
  ASSERT_TRUE(f.write("new contents\n"));
  std::fflush(f.stream());
  EXPECT_EQ(get(path("scores.csv")), "old contents\n");
  ASSERT_EQ(names().size(), 2u);
  EXPECT_TRUE(names()[0].starts_with(".scores.csv.healthc-tmp-")) << names()[0];
  EXPECT_EQ(names()[0].size(), std::string(".scores.csv.healthc-tmp-").size() + 6);
  ASSERT_EQ(f.commit(), "");
  EXPECT_EQ(get(path("scores.csv")), "new contents\n");
  EXPECT_EQ(names(), std::vector<std::string>{"scores.csv"});
}

TEST_F(OutputFileTest, AbandonLeavesExistingFileAsItWasAndNoTempBehind) {
  put(path("scores.csv"), "precious\n");
  OutputFile f;
  ASSERT_EQ(f.open(path("scores.csv")), "");
  std::fputs("half a run", f.stream());
  f.abandon();
  EXPECT_EQ(get(path("scores.csv")), "precious\n");
  EXPECT_EQ(names(), std::vector<std::string>{"scores.csv"});
}

TEST_F(OutputFileTest, DestroyingAnUncommittedFileAbandonsIt) {
  put(path("scores.csv"), "precious\n");
  {
    OutputFile f;
    ASSERT_EQ(f.open(path("scores.csv")), "");
    ASSERT_TRUE(f.write("partial"));
  }
  EXPECT_EQ(get(path("scores.csv")), "precious\n");
  EXPECT_EQ(names(), std::vector<std::string>{"scores.csv"});
  {
    OutputFile f;
    ASSERT_EQ(f.open(path("new.csv")), "");
  }
  EXPECT_EQ(names(), std::vector<std::string>{"scores.csv"});
}

TEST_F(OutputFileTest, NewFileGetsTheModeOfAnyNewFile) {
  const mode_t old = ::umask(027);
  OutputFile f;
  const std::string opened = f.open(path("out.csv"));
  const std::string committed = f.write("x") ? f.commit() : "write failed";
  ::umask(old);
  ASSERT_EQ(opened, "");
  ASSERT_EQ(committed, "");
  struct stat st{};
  ASSERT_EQ(::stat(path("out.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);  // 0666 less the umask, not mkstemp's 0600
}

TEST_F(OutputFileTest, SymlinkStaysALinkAndItsTargetIsReplaced) {
  put(path("real.csv"), "old\n");
  fs::create_symlink("real.csv", path("link.csv"));
  OutputFile f;
  ASSERT_EQ(f.open(path("link.csv")), "");
  ASSERT_TRUE(f.write("new\n"));
  ASSERT_EQ(f.commit(), "");
  EXPECT_TRUE(fs::is_symlink(path("link.csv")));
  EXPECT_EQ(get(path("real.csv")), "new\n");
  EXPECT_EQ(names(), (std::vector<std::string>{"link.csv", "real.csv"}));
}

TEST_F(OutputFileTest, DevFullFailsWithThePathAndTheReason) {
  OutputFile f;
  ASSERT_EQ(f.open("/dev/full"), "");
  std::fputs("a rejected row\n", f.stream());  // small: it only fails when flushed
  const std::string e = f.commit();
  EXPECT_NE(e.find("/dev/full"), std::string::npos) << e;
  EXPECT_NE(e.find(std::strerror(ENOSPC)), std::string::npos) << e;
}

TEST_F(OutputFileTest, LargeWriteToDevFullFailsInWriteAndAtCommit) {
  OutputFile f;
  ASSERT_EQ(f.open("/dev/full"), "");
  EXPECT_FALSE(f.write(std::string(1 << 20, 'x')));
  EXPECT_NE(f.commit().find(std::strerror(ENOSPC)), std::string::npos);
}

TEST_F(OutputFileTest, FailedOrMissingOpenNeverCommitsAsSuccess) {
  OutputFile never;
  EXPECT_NE(never.commit(), "");
  OutputFile full;
  ASSERT_EQ(full.open("/dev/full"), "");
  std::fputs("x", full.stream());
  const std::string first = full.commit();
  EXPECT_NE(first, "");
  EXPECT_EQ(full.commit(), first);  // asking again does not turn the failure into success
  OutputFile dropped;
  ASSERT_EQ(dropped.open(path("out.csv")), "");
  dropped.abandon();
  EXPECT_NE(dropped.commit(), "");
  EXPECT_EQ(names(), std::vector<std::string>{});
}

TEST_F(OutputFileTest, DevNullIsWrittenDirectly) {
  OutputFile f;
  ASSERT_EQ(f.open("/dev/null"), "");
  ASSERT_TRUE(f.write(std::string(1 << 20, 'x')));
  EXPECT_EQ(f.commit(), "");
  struct stat st{};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));  // still the device, not a file renamed over it
}

TEST_F(OutputFileTest, FifoIsWrittenDirectly) {
  ASSERT_EQ(::mkfifo(path("pipe").c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = get(path("pipe")); });
  OutputFile f;
  const std::string opened = f.open(path("pipe"));
  const std::string committed = opened.empty() && f.write("through the pipe\n") ? f.commit() : "not written";
  reader.join();
  EXPECT_EQ(opened, "");
  EXPECT_EQ(committed, "");
  EXPECT_EQ(got, "through the pipe\n");
  EXPECT_EQ(names(), std::vector<std::string>{"pipe"});
}

TEST_F(OutputFileTest, MissingFolderFailsAtOpenNamingThePath) {
  OutputFile f;
  const std::string e = f.open(path("no/such/folder/out.csv"));
  EXPECT_NE(e.find("no/such/folder/out.csv"), std::string::npos) << e;
  EXPECT_NE(e.find(std::strerror(ENOENT)), std::string::npos) << e;
}

TEST_F(OutputFileTest, FolderAsTargetFailsAtOpen) {
  fs::create_directory(path("sub"));
  OutputFile f;
  EXPECT_NE(f.open(path("sub")).find(std::strerror(EISDIR)), std::string::npos);
}

TEST_F(OutputFileTest, ReadOnlyFileIsNotReplaced) {
  put(path("locked.csv"), "keep\n");
  ASSERT_EQ(::chmod(path("locked.csv").c_str(), 0444), 0);
  auto refused = [&] {
    OutputFile f;
    return f.open(path("locked.csv")).find(std::strerror(EACCES)) != std::string::npos;
  };
  if (::geteuid() != 0) {
    EXPECT_TRUE(refused());
  } else {
    // Root may write any file: the check runs as `nobody` in a child, in a folder it may
    // write, where renaming a temporary file over the locked one would succeed.
    ASSERT_EQ(::chmod(dir_.c_str(), 0777), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      const bool dropped = ::setgid(65534) == 0 && ::setuid(65534) == 0;
      ::_exit(!dropped ? 2 : refused() ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the file was not refused, 2: could not become nobody";
  }
  EXPECT_EQ(get(path("locked.csv")), "keep\n");
}

TEST(CheckDistinct, SamePathIsAClash) {
  const std::string e = check_distinct({{"DATA", "/etc/passwd"}}, {{"-o", "/etc/passwd"}});
  EXPECT_NE(e.find("-o `/etc/passwd` is the same file as DATA `/etc/passwd`"), std::string::npos) << e;
}

TEST_F(OutputFileTest, HardLinkAndSymlinkToAnInputClash) {
  put(path("data.csv"), "a\n");
  fs::create_hard_link(path("data.csv"), path("hard.csv"));
  fs::create_symlink(path("data.csv"), path("soft.csv"));
  fs::create_directory(path("sub"));
  EXPECT_NE(check_distinct({{"DATA", path("data.csv")}}, {{"-o", path("hard.csv")}}), "");
  EXPECT_NE(check_distinct({{"DATA", path("data.csv")}}, {{"--rejects", path("soft.csv")}}), "");
  EXPECT_NE(check_distinct({{"DATA", path("data.csv")}}, {{"-o", dir_.string() + "/./sub/../data.csv"}}), "");
}

TEST_F(OutputFileTest, OutputsThatDoNotExistYetClashByNormalisedPath) {
  fs::create_directory(path("sub"));
  const std::string e = check_distinct({}, {{"-o", path("x.csv")}, {"--rejects", path("sub/../x.csv")}});
  EXPECT_NE(e.find("are the same file"), std::string::npos) << e;
  fs::create_directory_symlink(path("sub"), path("alias"));
  EXPECT_NE(check_distinct({}, {{"-o", path("sub/y.csv")}, {"--rejects", path("alias/y.csv")}}), "");
}

TEST_F(OutputFileTest, DistinctFilesDoNotClash) {
  put(path("data.csv"), "a\n");
  put(path("scores.csv"), "b\n");
  EXPECT_EQ(check_distinct({{"CARD", path("card.health")}, {"DATA", path("data.csv")}},
                           {{"-o", path("scores.csv")}, {"--rejects", path("rejects.csv")}}),
            "");
}

TEST(CheckDistinct, StandardStreamsAndCharacterDevicesNeverClash) {
  EXPECT_EQ(check_distinct({{"DATA", "-"}}, {{"-o", "-"}, {"--rejects", "-"}}), "");
  EXPECT_EQ(check_distinct({}, {{"-o", "/dev/null"}, {"--rejects", "/dev/null"}}), "");
}

}  // namespace
}  // namespace healthc::rt
