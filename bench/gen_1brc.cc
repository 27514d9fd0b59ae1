// Generates a One Billion Row Challenge style file: `station;temperature` lines, 413 stations,
// each with its own mean temperature, values drawn from a normal distribution (sd 10) rounded to
// one decimal and clamped to [-99.9, 99.9] (the 1BRC rules). Deterministic for a seed.
//   gen_1brc ROWS OUT_FILE [SEED]
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: gen_1brc ROWS OUT_FILE [SEED]\n");
    return 2;
  }
  long long rows = std::atoll(argv[1]);
  unsigned seed = argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 42;
  std::mt19937_64 rng(seed);
  // 413 distinct names of 3..24 characters, some with spaces and non-ASCII, like real stations.
  static const char* kSyllables[] = {"ka", "ro", "mi", "san", "to", "ber", "lin", "ham", "burg", "za",
                                     "ri", "ch", "é", "ñ", "os", "lo", " ", "da", "ku", "ve", "ga", "ü"};
  std::vector<std::string> names;
  std::vector<double> means;
  std::uniform_int_distribution<int> syl(0, 21), len(2, 7);
  std::uniform_real_distribution<double> mean(-20.0, 35.0);
  while (names.size() < 413) {
    std::string n;
    int k = len(rng);
    for (int i = 0; i < k; ++i) n += kSyllables[syl(rng)];
    while (!n.empty() && n.front() == ' ') n.erase(n.begin());
    while (!n.empty() && n.back() == ' ') n.pop_back();
    if (n.size() < 3) continue;
    n[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(n[0])));
    bool dup = false;
    for (const auto& e : names) dup |= e == n;
    if (dup) continue;
    names.push_back(n);
    means.push_back(mean(rng));
  }
  std::FILE* out = std::fopen(argv[2], "wb");
  if (!out) {
    std::perror(argv[2]);
    return 1;
  }
  std::vector<char> buf(1 << 20);
  std::setvbuf(out, buf.data(), _IOFBF, buf.size());
  std::uniform_int_distribution<size_t> pick(0, names.size() - 1);
  std::normal_distribution<double> noise(0.0, 10.0);
  for (long long r = 0; r < rows; ++r) {
    size_t s = pick(rng);
    double t = std::round((means[s] + noise(rng)) * 10.0) / 10.0;
    t = std::max(-99.9, std::min(99.9, t));
    fmt::print(out, "{};{:.1f}\n", names[s], t);
  }
  std::fclose(out);
  return 0;
}
