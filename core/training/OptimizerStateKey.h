#pragma once
// The key under which a LibTorch optimiser keeps a parameter's state: derived from the parameter's
// TensorImpl, as its address printed to a string in LibTorch 1.x and as the address itself in 2.x. Deduced
// from the state map's type so the same code compiles against both. For the torch files that save and
// restore optimiser state (training checkpoints, pretraining checkpoints); not for widely included headers.
#include <torch/types.h>

#include <sstream>
#include <string>
#include <type_traits>

namespace rm {

template <typename Map> typename Map::key_type optimizerStateKey(const torch::Tensor& p)
{
    using Key = typename Map::key_type;
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream s;
        s << static_cast<const void*>(p.unsafeGetTensorImpl());
        return s.str();
    } else {
        return static_cast<Key>(p.unsafeGetTensorImpl());
    }
}

template <typename Optimizer> auto optimizerStateKey(Optimizer& optimizer, const torch::Tensor& p)
{
    using Map = std::decay_t<decltype(optimizer.state())>;
    return optimizerStateKey<Map>(p);
}

} // namespace rm
