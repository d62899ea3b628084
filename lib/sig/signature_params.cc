#include "wba/sig/signature_params.h"

#include <algorithm>

#include "wba/sfv/parse.h"
#include "wba/sfv/serialize.h"

namespace wba::sig {
namespace {

template <typename T>
std::optional<T> get(const sfv::Parameters& p, std::string_view key) {
  const sfv::BareItem* v = p.find(key);
  if (!v) return std::nullopt;
  if constexpr (std::is_same_v<T, std::int64_t>) {
    if (const auto* i = std::get_if<std::int64_t>(v)) return *i;
  } else {
    if (const auto* s = std::get_if<sfv::String>(v)) return s->value;
  }
  return std::nullopt;  // type checked in from_inner_list; only reachable for built params
}

}  // namespace

Result<SignatureParams> SignatureParams::from_inner_list(const sfv::InnerList& list) {
  return from_inner_list(sfv::InnerList(list));
}

Result<SignatureParams> SignatureParams::from_inner_list(sfv::InnerList&& list) {
  SignatureParams out;
  out.components_.reserve(list.items.size());
  for (auto& item : list.items) {
    WBA_TRY(auto id, ComponentId::from_item(std::move(item)));
    WBA_CHECK(out.add_component(std::move(id)));
  }
  // §2.3: created/expires are Integers, the others Strings.
  for (const auto& [k, v] : list.params) {
    const std::string_view key = k;  // length-first comparisons, no strlen per literal
    if (key == "created" || key == "expires") {
      if (!std::holds_alternative<std::int64_t>(v)) {
        return Error(Reason::invalid_signature_params, "'" + k + "' must be an Integer");
      }
    } else if (key == "nonce" || key == "alg" || key == "keyid" || key == "tag") {
      if (!std::holds_alternative<sfv::String>(v)) {
        return Error(Reason::invalid_signature_params, "'" + k + "' must be a String");
      }
    }
  }
  out.params_ = std::move(list.params);
  return out;
}

Result<SignatureParams> SignatureParams::parse(std::string_view inner_list_text) {
  auto list = sfv::parse_list(inner_list_text);
  if (!list || list->size() != 1 || !std::holds_alternative<sfv::InnerList>((*list)[0])) {
    return Error(Reason::malformed_signature_input,
                 "not an inner list with parameters: '" + std::string(inner_list_text) + "'");
  }
  return from_inner_list(std::move(std::get<sfv::InnerList>((*list)[0])));
}

Status SignatureParams::add_component(ComponentId id) {
  if (std::find(components_.begin(), components_.end(), id) != components_.end()) {
    return Error(Reason::duplicate_component, id.serialize() + " is covered twice");
  }
  components_.push_back(std::move(id));
  return {};
}

std::optional<std::int64_t> SignatureParams::created() const {
  return get<std::int64_t>(params_, "created");
}
std::optional<std::int64_t> SignatureParams::expires() const {
  return get<std::int64_t>(params_, "expires");
}
std::optional<std::string> SignatureParams::nonce() const {
  return get<std::string>(params_, "nonce");
}
std::optional<std::string> SignatureParams::alg() const { return get<std::string>(params_, "alg"); }
std::optional<std::string> SignatureParams::keyid() const {
  return get<std::string>(params_, "keyid");
}
std::optional<std::string> SignatureParams::tag() const { return get<std::string>(params_, "tag"); }

void SignatureParams::set_created(std::int64_t t) { params_.set("created", t); }
void SignatureParams::set_expires(std::int64_t t) { params_.set("expires", t); }
void SignatureParams::set_nonce(std::string v) { params_.set("nonce", sfv::String{std::move(v)}); }
void SignatureParams::set_alg(std::string v) { params_.set("alg", sfv::String{std::move(v)}); }
void SignatureParams::set_keyid(std::string v) { params_.set("keyid", sfv::String{std::move(v)}); }
void SignatureParams::set_tag(std::string v) { params_.set("tag", sfv::String{std::move(v)}); }

sfv::InnerList SignatureParams::to_inner_list() const {
  sfv::InnerList list;
  list.items.reserve(components_.size());
  for (const auto& c : components_) list.items.push_back(c.to_item());
  list.params = params_;
  return list;
}

std::string SignatureParams::serialize() const {
  std::string out;
  serialize_to(out);
  return out;
}

void SignatureParams::serialize_to(std::string& out) const {
  out += '(';
  for (std::size_t i = 0; i < components_.size(); ++i) {
    if (i) out += ' ';
    components_[i].serialize_to(out);
  }
  out += ')';
  if (!params_.empty()) {
    // Setter-built values are always serialisable; parsed ones were parsed from valid text.
    // Should one not be, the parameters are left out, as they always were (no partial text).
    (void)sfv::serialize_params_to(out, params_);
  }
}

}  // namespace wba::sig
