#include "wba/sig/signature_fields.h"

#include <algorithm>

#include "wba/sfv/parse.h"
#include "wba/sfv/serialize.h"

namespace wba::sig {
namespace {

std::string joined(const http::Fields& f, std::string_view name) {
  std::string out;
  for (auto v : f.values(name)) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

// The combined value of one field's lines, exactly as joined() builds it. The usual message has
// one line per field, which is then parsed where it is instead of copied.
class CombinedField {
 public:
  void add(std::string_view line) {
    present_ = true;
    if (value().empty()) {  // like joined(): no separator after an empty start
      single_ = line;
      is_single_ = true;
      return;
    }
    if (is_single_) {
      joined_.assign(single_);
      is_single_ = false;
    }
    joined_.append(", ").append(line);
  }
  bool present() const { return present_; }
  std::string_view value() const { return is_single_ ? single_ : std::string_view(joined_); }

 private:
  bool present_ = false;
  bool is_single_ = true;
  std::string_view single_;
  std::string joined_;
};

}  // namespace

Result<std::vector<SignatureEntry>> parse_signature_entries(const http::Message& message) {
  CombinedField input_field, signature_field;
  for (const auto& [name, value] : http::headers(message).lines()) {
    if (http::iequals(name, "signature-input")) {
      input_field.add(value);
    } else if (http::iequals(name, "signature")) {
      signature_field.add(value);
    }
  }
  if (!input_field.present() && !signature_field.present()) {
    return Error(Reason::missing_signature, "no Signature-Input or Signature field");
  }
  auto inputs = sfv::parse_dictionary(input_field.value());
  if (!inputs) {
    return Error(Reason::malformed_signature_input, "Signature-Input: " + inputs.error().detail);
  }
  auto sigs = sfv::parse_dictionary(signature_field.value());
  if (!sigs) return Error(Reason::malformed_signature, "Signature: " + sigs.error().detail);

  // The parsed dictionaries are not needed afterwards: their labels, parameters and signature
  // bytes are moved into the result instead of copied.
  auto input_entries = std::move(inputs).value().take_entries();
  auto sig_entries = std::move(sigs).value().take_entries();
  std::vector<SignatureEntry> out;
  out.reserve(input_entries.size());
  for (auto& [label, member] : input_entries) {
    // Dictionary keys are unique, so each Signature member is taken by one label at most.
    auto sig = std::find_if(sig_entries.begin(), sig_entries.end(),
                            [&](const sfv::Dictionary::Entry& s) { return s.first == label; });
    auto parsed = [&]() -> Result<LabelledSignature> {
      auto* list = std::get_if<sfv::InnerList>(&member);
      if (!list) {
        return Error(Reason::malformed_signature_input,
                     "Signature-Input member '" + label + "' is not an inner list");
      }
      if (sig == sig_entries.end()) {
        return Error(Reason::label_mismatch, "label '" + label + "' has no Signature member");
      }
      auto* item = std::get_if<sfv::Item>(&sig->second);
      auto* bytes = item ? std::get_if<sfv::ByteSequence>(&item->value) : nullptr;
      if (!bytes) {
        return Error(Reason::malformed_signature,
                     "Signature member '" + label + "' is not a Byte Sequence");
      }
      auto params = SignatureParams::from_inner_list(std::move(*list));
      if (!params) {
        Error e = std::move(params).error();
        e.detail = "label '" + label + "': " + e.detail;
        return e;
      }
      return LabelledSignature{label, std::move(params).value(), std::move(bytes->bytes)};
    }();
    out.push_back(SignatureEntry{std::move(label), std::move(parsed)});
  }
  // Signature members no Signature-Input label took (their labels are all in `out` now).
  const std::size_t input_count = out.size();
  for (const auto& [label, member] : sig_entries) {
    if (std::none_of(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(input_count),
                     [&](const SignatureEntry& e) { return e.label == label; })) {
      out.push_back(SignatureEntry{
          label,
          Error(Reason::label_mismatch, "label '" + label + "' has no Signature-Input member")});
    }
  }
  return out;
}

Result<std::vector<LabelledSignature>> parse_signatures(const http::Message& message) {
  WBA_TRY(auto entries, parse_signature_entries(message));
  std::vector<LabelledSignature> out;
  out.reserve(entries.size());
  for (auto& e : entries) {
    if (!e.signature) return std::move(e.signature).error();
    out.push_back(std::move(e.signature).value());
  }
  return out;
}

Status add_signature(http::Message& message, const LabelledSignature& signature) {
  http::Fields& h = http::headers(message);
  // Validate the label as a Dictionary key by serialising a one-member dictionary.
  sfv::Dictionary input_dict;
  input_dict.set(signature.label, signature.params.to_inner_list());
  auto input_text = sfv::serialize(input_dict);
  if (!input_text) {
    return Error(Reason::invalid_argument,
                 "label '" + signature.label +
                     "' is not a valid Dictionary key: " + input_text.error().detail);
  }
  auto existing = sfv::parse_dictionary(joined(h, "signature-input"));
  auto existing_sig = sfv::parse_dictionary(joined(h, "signature"));
  if ((existing && existing->find(signature.label)) ||
      (existing_sig && existing_sig->find(signature.label))) {
    return Error(Reason::invalid_argument, "label '" + signature.label + "' is already present");
  }
  sfv::Dictionary sig_dict;
  sig_dict.set(signature.label, sfv::Item{sfv::ByteSequence{signature.signature}, {}});
  auto sig_text = sfv::serialize(sig_dict);
  if (!sig_text) return Error(Reason::invalid_argument, sig_text.error().detail);
  // A new field line per signature: recipients combine lines into one Dictionary (§4.1).
  h.add("Signature-Input", std::move(input_text).value());
  h.add("Signature", std::move(sig_text).value());
  return {};
}

}  // namespace wba::sig
