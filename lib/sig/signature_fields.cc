#include "wba/sig/signature_fields.h"

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

}  // namespace

Result<std::vector<LabelledSignature>> parse_signatures(const http::Message& message) {
  const http::Fields& h = http::headers(message);
  bool has_input = h.contains("signature-input");
  bool has_sig = h.contains("signature");
  if (!has_input && !has_sig) {
    return Error(Reason::missing_signature, "no Signature-Input or Signature field");
  }
  auto inputs = sfv::parse_dictionary(joined(h, "signature-input"));
  if (!inputs) {
    return Error(Reason::malformed_signature_input, "Signature-Input: " + inputs.error().detail);
  }
  auto sigs = sfv::parse_dictionary(joined(h, "signature"));
  if (!sigs) return Error(Reason::malformed_signature, "Signature: " + sigs.error().detail);

  std::vector<LabelledSignature> out;
  out.reserve(inputs->size());
  for (const auto& [label, member] : *inputs) {
    const auto* list = std::get_if<sfv::InnerList>(&member);
    if (!list) {
      return Error(Reason::malformed_signature_input,
                   "Signature-Input member '" + label + "' is not an inner list");
    }
    const sfv::ListMember* sig = sigs->find(label);
    if (!sig) {
      return Error(Reason::label_mismatch, "label '" + label + "' has no Signature member");
    }
    const auto* item = std::get_if<sfv::Item>(sig);
    const auto* bytes = item ? std::get_if<sfv::ByteSequence>(&item->value) : nullptr;
    if (!bytes) {
      return Error(Reason::malformed_signature,
                   "Signature member '" + label + "' is not a Byte Sequence");
    }
    auto params = SignatureParams::from_inner_list(*list);
    if (!params) {
      Error e = std::move(params).error();
      e.detail = "label '" + label + "': " + e.detail;
      return e;
    }
    out.push_back(LabelledSignature{label, std::move(params).value(), bytes->bytes});
  }
  for (const auto& [label, member] : *sigs) {
    if (!inputs->find(label)) {
      return Error(Reason::label_mismatch, "label '" + label + "' has no Signature-Input member");
    }
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
    return Error(Reason::invalid_argument, "label '" + signature.label +
                                               "' is not a valid Dictionary key: " +
                                               input_text.error().detail);
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
