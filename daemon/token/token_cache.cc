#include "token/token_cache.h"

#include <algorithm>

namespace wbad {

TokenCache::TokenCache(std::size_t max_entries, std::shared_ptr<TokenMetrics> metrics)
    : max_entries_(std::max<std::size_t>(max_entries, 1)),
      metrics_(metrics ? std::move(metrics) : std::make_shared<TokenMetrics>()) {}

std::optional<CachedValidation> TokenCache::find(const std::string& token_sha256,
                                                 std::int64_t now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(token_sha256);
  if (it == entries_.end()) return std::nullopt;
  if (now >= it->second.value.expires_at) {
    order_.erase(it->second.position);
    entries_.erase(it);
    metrics_->validation_cache_entries.store(entries_.size(), std::memory_order_relaxed);
    return std::nullopt;
  }
  order_.splice(order_.begin(), order_, it->second.position);
  return it->second.value;
}

void TokenCache::insert(const std::string& token_sha256, CachedValidation entry) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(token_sha256); it != entries_.end()) {
    it->second.value = std::move(entry);
    order_.splice(order_.begin(), order_, it->second.position);
    return;
  }
  while (entries_.size() >= max_entries_ && !order_.empty()) {
    entries_.erase(order_.back());
    order_.pop_back();
  }
  order_.push_front(token_sha256);
  entries_.emplace(token_sha256, Slot{std::move(entry), order_.begin()});
  metrics_->validation_cache_entries.store(entries_.size(), std::memory_order_relaxed);
}

void TokenCache::erase(const std::string& token_sha256) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(token_sha256);
  if (it == entries_.end()) return;
  order_.erase(it->second.position);
  entries_.erase(it);
  metrics_->validation_cache_entries.store(entries_.size(), std::memory_order_relaxed);
}

std::size_t TokenCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace wbad
