#include "fetch/http_cache.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace wbad::fetch {
namespace {

using std::chrono::system_clock;

// RFC 9111 §1.2.2: a delta-seconds too large to represent is 2^31.
constexpr std::int64_t kMaxDelta = std::int64_t{1} << 31;

bool ieq(std::string_view a, std::string_view b) { return wba::http::iequals(a, b); }

std::optional<std::int64_t> delta_seconds(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = std::min<std::int64_t>(kMaxDelta, v * 10 + (c - '0'));
  }
  return v;
}

void keep_min(std::optional<Seconds>& slot, Seconds v) { slot = slot ? std::min(*slot, v) : v; }

bool is_space(char c) { return c == ' ' || c == '\t'; }

// One Cache-Control field line: #( token [ "=" ( token / quoted-string ) ] ).
void parse_line(std::string_view line, CacheDirectives& out) {
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (i < n) {
    while (i < n && (is_space(line[i]) || line[i] == ',')) ++i;
    std::size_t name_start = i;
    while (i < n && line[i] != '=' && line[i] != ',' && !is_space(line[i])) ++i;
    std::string_view name = line.substr(name_start, i - name_start);
    while (i < n && is_space(line[i])) ++i;
    std::string value;
    bool has_value = false;
    if (i < n && line[i] == '=') {
      has_value = true;
      ++i;
      while (i < n && is_space(line[i])) ++i;
      if (i < n && line[i] == '"') {
        ++i;
        while (i < n && line[i] != '"') {
          if (line[i] == '\\' && i + 1 < n) ++i;
          value += line[i++];
        }
        if (i < n) ++i;  // closing quote
      } else {
        while (i < n && line[i] != ',' && !is_space(line[i])) value += line[i++];
      }
    }
    while (i < n && line[i] != ',') ++i;  // ignore anything else up to the next directive
    if (name.empty()) continue;
    // -1: no valid delta-seconds argument (absent or malformed).
    std::int64_t number = -1;
    if (has_value) {
      if (auto d = delta_seconds(value)) number = *d;
    }
    if (ieq(name, "max-age")) {
      keep_min(out.max_age, Seconds(std::max<std::int64_t>(number, 0)));
    } else if (ieq(name, "s-maxage")) {
      keep_min(out.s_maxage, Seconds(std::max<std::int64_t>(number, 0)));
    } else if (ieq(name, "stale-while-revalidate")) {
      if (number >= 0) keep_min(out.stale_while_revalidate, Seconds(number));
    } else if (ieq(name, "stale-if-error")) {
      if (number >= 0) keep_min(out.stale_if_error, Seconds(number));
    } else if (ieq(name, "no-store")) {
      out.no_store = true;
    } else if (ieq(name, "no-cache")) {
      // no-cache with field names only restricts those fields; we store none of them anyway,
      // but the plain form means "revalidate every time": treated as max-age=0.
      if (!has_value) out.no_cache = true;
    }
  }
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<unsigned> month_of(std::string_view m) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (m == kMonths[i]) return i + 1;
  }
  return std::nullopt;
}

std::optional<unsigned> number(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

std::optional<system_clock::time_point> make_time(std::int64_t year, unsigned month, unsigned day,
                                                  std::string_view hms) {
  // hms = "HH:MM:SS"
  if (hms.size() != 8 || hms[2] != ':' || hms[5] != ':') return std::nullopt;
  auto h = number(hms.substr(0, 2));
  auto mi = number(hms.substr(3, 2));
  auto s = number(hms.substr(6, 2));
  if (!h || !mi || !s || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  if (day < 1 || day > 31 || year < 1900) return std::nullopt;
  std::int64_t secs = days_from_civil(year, month, day) * 86400 + *h * 3600 + *mi * 60 + *s;
  return system_clock::time_point(std::chrono::seconds(secs));
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<std::string_view> single(const wba::http::Fields& headers, std::string_view name) {
  auto values = headers.values(name);
  if (values.size() != 1) return std::nullopt;
  return values.front();
}

}  // namespace

CacheDirectives parse_cache_control(const wba::http::Fields& headers) {
  CacheDirectives out;
  for (auto line : headers.values("cache-control")) parse_line(line, out);
  return out;
}

std::optional<system_clock::time_point> parse_http_date(std::string_view text) {
  auto parts = split_spaces(text);
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0].back() == ',' && parts[5] == "GMT") {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    auto day = number(parts[1]);
    auto month = month_of(parts[2]);
    auto year = number(parts[3]);
    if (!day || !month || !year || parts[1].size() != 2 || parts[3].size() != 4) {
      return std::nullopt;
    }
    return make_time(*year, *month, *day, parts[4]);
  }
  if (parts.size() == 4 && parts[0].back() == ',' && parts[3] == "GMT") {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year more than 50 years in the
    // future means the past century (RFC 9110 §5.6.7), approximated with a 1970 pivot.
    std::string_view d = parts[1];
    if (d.size() != 9 || d[2] != '-' || d[6] != '-') return std::nullopt;
    auto day = number(d.substr(0, 2));
    auto month = month_of(d.substr(3, 3));
    auto yy = number(d.substr(7, 2));
    if (!day || !month || !yy) return std::nullopt;
    std::int64_t year = *yy < 70 ? 2000 + *yy : 1900 + *yy;
    return make_time(year, *month, *day, parts[2]);
  }
  if (parts.size() == 5) {
    // asctime: "Sun Nov  6 08:49:37 1994"
    auto month = month_of(parts[1]);
    auto day = number(parts[2]);
    auto year = number(parts[4]);
    if (!month || !day || !year || parts[4].size() != 4) return std::nullopt;
    return make_time(*year, *month, *day, parts[3]);
  }
  return std::nullopt;
}

Freshness compute_freshness(const wba::http::Fields& headers,
                            system_clock::time_point response_time, const FreshnessPolicy& policy) {
  using std::chrono::duration_cast;
  CacheDirectives cc = parse_cache_control(headers);
  std::optional<system_clock::time_point> date;
  if (auto d = single(headers, "date")) date = parse_http_date(*d);

  Seconds lifetime = policy.default_ttl;
  if (cc.no_store || cc.no_cache) {
    lifetime = Seconds(0);
  } else if (cc.s_maxage) {
    lifetime = *cc.s_maxage;
  } else if (cc.max_age) {
    lifetime = *cc.max_age;
  } else if (headers.contains("expires")) {
    auto e = single(headers, "expires");
    auto expires = e ? parse_http_date(*e) : std::nullopt;
    if (!expires) {
      lifetime = Seconds(0);  // RFC 9111 §5.3: invalid Expires = already expired
    } else {
      lifetime =
          std::max(Seconds(0), duration_cast<Seconds>(*expires - date.value_or(response_time)));
    }
  }

  Seconds age(0);
  if (auto a = single(headers, "age")) {
    if (auto v = delta_seconds(*a)) age = Seconds(*v);
  }
  if (date && response_time > *date) {
    age = std::max(age, duration_cast<Seconds>(response_time - *date));
  }

  Freshness f;
  Seconds remaining = lifetime > age ? lifetime - age : Seconds(0);
  f.fresh_for = std::clamp(remaining, policy.min_ttl, std::max(policy.min_ttl, policy.max_ttl));
  f.stale_while_revalidate =
      std::min(cc.stale_while_revalidate.value_or(Seconds(0)), policy.max_stale_while_revalidate);
  f.stale_if_error = std::min(cc.stale_if_error.value_or(policy.default_stale_if_error),
                              policy.max_stale_if_error);
  return f;
}

std::optional<Seconds> parse_retry_after(const wba::http::Fields& headers,
                                         system_clock::time_point now) {
  auto v = single(headers, "retry-after");
  if (!v) return std::nullopt;
  std::string_view s = *v;
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  if (auto n = delta_seconds(s)) return Seconds(*n);
  if (auto when = parse_http_date(s)) {
    return std::max(Seconds(0), std::chrono::duration_cast<Seconds>(*when - now));
  }
  return std::nullopt;
}

}  // namespace wbad::fetch
