#include <algorithm>
#include <map>
#include <mutex>

#include "velo/exec/function/function.h"
#include "velo/types/error.h"

namespace velo {

struct FunctionRegistry::Impl {
  mutable std::mutex mu;
  std::map<std::string, ScalarFunction> scalars;
  std::map<std::string, AggregateFunction> aggregates;
  std::map<std::string, std::string> aliases;  // alias -> target

  const std::string& resolve(const std::string& upper_name) const {
    auto it = aliases.find(upper_name);
    return it == aliases.end() ? upper_name : it->second;
  }
};

namespace {
std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

FunctionRegistry::FunctionRegistry() : impl_(std::make_shared<Impl>()) {}

FunctionRegistry& FunctionRegistry::instance() {
  // Built once, before any lookup; later issues add their functions through add_*.
  static FunctionRegistry* registry = [] {
    auto* r = new FunctionRegistry();
    register_cast_functions(*r);
    register_arithmetic_functions(*r);
    register_comparison_functions(*r);
    register_conditional_functions(*r);
    register_math_functions(*r);
    register_string_functions(*r);
    register_datetime_functions(*r);
    register_json_functions(*r);
    register_list_functions(*r);
    register_aggregate_functions(*r);
    return r;
  }();
  return *registry;
}

void FunctionRegistry::add_scalar(ScalarFunction f) {
  f.name = upper(f.name);
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string key = f.name;
  impl_->scalars[key] = std::move(f);
}

void FunctionRegistry::add_aggregate(AggregateFunction f) {
  f.name = upper(f.name);
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::string key = f.name;
  impl_->aggregates[key] = std::move(f);
}

void FunctionRegistry::add_alias(const std::string& alias, const std::string& target) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->aliases[upper(alias)] = upper(target);
}

const ScalarFunction* FunctionRegistry::find_scalar(const std::string& name) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->scalars.find(impl_->resolve(upper(name)));
  return it == impl_->scalars.end() ? nullptr : &it->second;
}

const AggregateFunction* FunctionRegistry::find_aggregate(const std::string& name) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->aggregates.find(impl_->resolve(upper(name)));
  return it == impl_->aggregates.end() ? nullptr : &it->second;
}

std::vector<std::string> FunctionRegistry::names() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::string> out;
  for (const auto& [name, f] : impl_->scalars)
    if (std::isalpha(static_cast<unsigned char>(name[0]))) out.push_back(name);
  for (const auto& [name, f] : impl_->aggregates) out.push_back(name);
  for (const auto& [alias, target] : impl_->aliases) out.push_back(alias);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace velo
