// qlab's batched envs for Python, with the conventions of Gymnasium's vector envs (same-step
// autoreset: the final observation of a finished episode is in info["final_obs"]).
//
// Zero copy: obs, reward, terminated, truncated and the info arrays are numpy views of the
// env's own step buffers, created once; every step overwrites them in place (as EnvPool's and
// Gymnasium's shared-memory buffers do), so keep a copy (np.array(obs)) of what must outlive a
// step. The views are read-only, and they keep the buffers alive even after the env is gone.
// The GIL is released while the envs step.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "qlab/core/errors.h"
#include "qlab/core/registry.h"
#include "qlab/core/thread_pool.h"
#include "qlab/envs/builtin.h"
#include "qlab/envs/minatar/python_reference.h"

namespace py = pybind11;

namespace qlab::python {
namespace {

// The step buffers, shared by the env and every numpy view of them.
struct Buffers {
  StepBatch batch;
  AlignedVector<uint8_t> done;  // terminated | truncated: rows with a final observation
};

py::dtype NumpyDtype(DType dtype) {
  return dtype == DType::kUInt8 ? py::dtype::of<uint8_t>() : py::dtype::of<float>();
}

std::string ShapeText(const py::array& array) {
  std::string text = "(";
  for (py::ssize_t d = 0; d < array.ndim(); ++d)
    text += fmt::format("{}{}", d ? ", " : "", array.shape(d));
  return text + (array.ndim() == 1 ? ",)" : ")");
}

uint64_t SeedFrom(const py::handle& seed) {
  if (!py::isinstance<py::int_>(seed) || py::cast<py::int_>(seed) < py::int_(0))
    throw UserError(fmt::format("seed must be a non-negative integer, got {}",
                                py::str(py::repr(seed)).cast<std::string>()));
  return seed.cast<uint64_t>();
}

py::dict ParamDict(const ParamSpec& param) {
  py::dict d;
  d["name"] = param.name;
  d["type"] = param.TypeName();
  d["default"] = param.default_value;
  d["doc"] = param.doc;
  if (!param.choices.empty()) d["choices"] = param.choices;
  if (param.type == ParamSpec::Type::kInt || param.type == ParamSpec::Type::kFloat) {
    d["min"] = param.min;
    d["max"] = param.max;
  }
  return d;
}

py::dict SpecDict(const EnvSpec& spec) {
  py::dict d;
  d["id"] = spec.id;
  d["version"] = spec.version;
  d["obs_shape"] = py::tuple(py::cast(spec.obs_shape));
  d["obs_dtype"] = DTypeName(spec.obs_dtype);
  d["obs_binary"] = spec.obs_binary;
  d["obs_labels"] = spec.obs_labels;
  py::dict action;
  const ActionSpace& space = spec.action_space;
  action["kind"] = space.discrete() ? "discrete" : "box";
  if (space.discrete()) {
    action["n"] = space.n;
    action["names"] = space.names;
  } else {
    action["low"] = space.low;
    action["high"] = space.high;
  }
  d["action_space"] = action;
  d["reward_range"] = py::make_tuple(spec.reward_min, spec.reward_max);
  d["max_episode_steps"] = spec.max_episode_steps;
  d["frames_per_step"] = spec.frames_per_step;
  return d;
}

class VectorEnv {
 public:
  VectorEnv(const std::string& name, int num_envs, const py::handle& seed, int num_threads)
      : canonical_(BuiltinEnvs().Canonicalize(name)), num_envs_(num_envs) {
    if (num_envs < 1) throw UserError(fmt::format("num_envs must be >= 1, got {}", num_envs));
    if (num_threads < 0)
      throw UserError(
          fmt::format("num_threads must be >= 0 (0: one per core), got {}", num_threads));
    pool_ = std::make_unique<ThreadPool>(num_threads == 0 ? DefaultThreadCount() : num_threads);
    Build(SeedFrom(seed));
    buffers_ = std::make_shared<Buffers>();
    buffers_->batch = env_->MakeBatch();
    buffers_->done.assign(num_envs_, 0);
    actions_.assign(num_envs_, 0);

    StepBatch& batch = buffers_->batch;
    std::vector<py::ssize_t> obs_shape{num_envs_};
    for (int d : env_->spec().obs_shape) obs_shape.push_back(d);
    const py::dtype obs_dtype = NumpyDtype(env_->spec().obs_dtype);
    const py::dtype flag = py::dtype("bool");  // the 0/1 bytes of the batch are valid numpy bools
    obs_ = View(obs_dtype, obs_shape, batch.obs.data());
    final_obs_ = View(obs_dtype, obs_shape, batch.final_obs.data());
    reward_ = View(py::dtype::of<float>(), {num_envs_}, batch.reward.data());
    terminated_ = View(flag, {num_envs_}, batch.terminated.data());
    truncated_ = View(flag, {num_envs_}, batch.truncated.data());
    done_ = View(flag, {num_envs_}, buffers_->done.data());
    episode_return_ = View(py::dtype::of<double>(), {num_envs_}, batch.episode_return.data());
    episode_length_ = View(py::dtype::of<int32_t>(), {num_envs_}, batch.episode_length.data());
  }

  // Gymnasium's reset: fresh episodes; with a seed, every env's stream restarts from it.
  py::tuple Reset(const py::object& seed) {
    Claim claim(busy_);
    if (!seed.is_none()) Build(SeedFrom(seed));
    {
      py::gil_scoped_release release;
      env_->Reset(buffers_->batch);
      std::fill(buffers_->done.begin(), buffers_->done.end(), 0);
    }
    needs_reset_ = false;
    return py::make_tuple(obs_, py::dict());
  }

  py::tuple Step(const py::handle& actions) {
    Claim claim(busy_);
    if (needs_reset_) throw UserError("call reset() before the first step()");
    ReadActions(actions);
    {
      py::gil_scoped_release release;
      StepBatch& batch = buffers_->batch;
      if (env_->spec().action_space.discrete()) {
        env_->Step(actions_, batch);
      } else {
        env_->StepBox(box_actions_, batch);
      }
      for (int i = 0; i < num_envs_; ++i) buffers_->done[i] = batch.done(i);
    }
    py::dict episode;
    episode["r"] = episode_return_;
    episode["l"] = episode_length_;
    py::dict info;
    info["final_obs"] = final_obs_;
    info["_final_obs"] = done_;
    info["episode"] = episode;
    info["_episode"] = done_;
    return py::make_tuple(obs_, reward_, terminated_, truncated_, info);
  }

  // Everything needed to continue bit-exactly (env states, RNG streams, episode counters).
  py::bytes GetState() const { return py::bytes(env_->SaveState()); }
  void SetState(const py::bytes& state) {
    Claim claim(busy_);
    env_->LoadState(std::string_view(state));
    needs_reset_ = false;
  }

  int num_envs() const { return num_envs_; }
  int num_threads() const { return pool_->num_threads(); }
  const std::string& name() const { return env_->name(); }
  py::dict spec() const { return SpecDict(env_->spec()); }

 private:
  // One call at a time: the GIL is released while stepping, so two Python threads could
  // otherwise step the same envs at once.
  class Claim {
   public:
    explicit Claim(std::atomic<bool>& busy) : busy_(busy) {
      if (busy_.exchange(true))
        throw UserError("VectorEnv used from two threads at once; give each thread its own env");
    }
    ~Claim() { busy_ = false; }

   private:
    std::atomic<bool>& busy_;
  };

  void Build(uint64_t seed) {
    env_ =
        BuiltinEnvs().Make(canonical_, {.num_envs = num_envs_, .seed = seed, .pool = pool_.get()});
    needs_reset_ = true;
  }

  py::array View(const py::dtype& dtype, std::vector<py::ssize_t> shape, void* data) {
    auto* owner = new std::shared_ptr<Buffers>(buffers_);
    py::capsule base(owner, [](void* p) { delete static_cast<std::shared_ptr<Buffers>*>(p); });
    py::array view(dtype, std::move(shape), data, base);
    view.attr("setflags")(py::arg("write") = false);
    return view;
  }

  // Validates the batch of actions into actions_ (discrete: integers of shape (num_envs,), each
  // in range) or box_actions_ (Box: finite numbers of shape (num_envs, dims); the env clips).
  void ReadActions(const py::handle& actions) {
    const ActionSpace& space = env_->spec().action_space;
    if (!space.discrete()) return ReadBoxActions(actions, space.dims());
    py::array array = py::array::ensure(actions);
    if (!array) throw UserError("actions must be an array of integers, one per env");
    const char kind = array.dtype().kind();
    if (kind != 'i' && kind != 'u')
      throw UserError(fmt::format("actions must be integers, got dtype {}",
                                  py::str(array.dtype()).cast<std::string>()));
    if (array.ndim() != 1 || array.shape(0) != num_envs_)
      throw UserError(
          fmt::format("actions must have shape ({},), got {}", num_envs_, ShapeText(array)));
    // no copy when the actions are already int64 (numpy's default integer)
    const auto values = py::array_t<int64_t, py::array::forcecast>::ensure(array);
    const auto view = values.unchecked<1>();
    const int64_t n = env_->spec().action_space.n;
    for (int i = 0; i < num_envs_; ++i) {
      const int64_t action = view(i);
      if (action < 0 || action >= n)
        throw UserError(
            fmt::format("action {} of env {} is out of range: {} has {} actions (0..{})", action, i,
                        env_->spec().id, n, n - 1));
      actions_[i] = static_cast<int32_t>(action);
    }
  }

  void ReadBoxActions(const py::handle& actions, int dims) {
    const auto array =
        py::array_t<float, py::array::forcecast | py::array::c_style>::ensure(actions);
    if (!array) throw UserError("actions must be an array of numbers, one row per env");
    if (array.ndim() != 2 || array.shape(0) != num_envs_ || array.shape(1) != dims)
      throw UserError(fmt::format("actions must have shape ({}, {}), got {}", num_envs_, dims,
                                  ShapeText(array)));
    box_actions_.assign(array.data(), array.data() + static_cast<size_t>(num_envs_) * dims);
    for (size_t k = 0; k < box_actions_.size(); ++k)
      if (!std::isfinite(box_actions_[k]))
        throw UserError(fmt::format("action of env {} is not finite", k / dims));
  }

  std::string canonical_;  // one env, or a multi-task list
  int num_envs_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<AnyVecEnv> env_;
  std::shared_ptr<Buffers> buffers_;
  std::vector<int32_t> actions_;
  std::vector<float> box_actions_;
  py::array obs_, final_obs_, reward_, terminated_, truncated_, done_, episode_return_,
      episode_length_;
  bool needs_reset_ = true;
  std::atomic<bool> busy_{false};
};

}  // namespace

void BindEnvs(py::module_& m) {
  py::class_<VectorEnv>(m, "VectorEnv")
      .def(py::init<const std::string&, int, const py::handle&, int>(), py::arg("name"),
           py::arg("num_envs") = 1, py::arg("seed") = 0, py::arg("num_threads") = 1)
      .def("reset", &VectorEnv::Reset, py::arg("seed") = py::none())
      .def("step", &VectorEnv::Step, py::arg("actions"))
      .def("get_state", &VectorEnv::GetState)
      .def("set_state", &VectorEnv::SetState, py::arg("state"))
      .def_property_readonly("num_envs", &VectorEnv::num_envs)
      .def_property_readonly("num_threads", &VectorEnv::num_threads)
      .def_property_readonly("name", &VectorEnv::name)
      .def_property_readonly("spec_dict", &VectorEnv::spec);

  m.def("env_entries", [] {
    py::list entries;
    for (const EnvEntry& entry : BuiltinEnvs().entries()) {
      py::dict d;
      d["name"] = entry.name;
      d["description"] = entry.description;
      d["reference"] = entry.reference;
      py::list params;
      for (const ParamSpec& param : entry.params) params.append(ParamDict(param));
      d["params"] = params;
      entries.append(d);
    }
    return entries;
  });
  m.def("minatar_python_reference", &minatar::PythonReferenceStepsPerSecond,
        "steps/s per core of the Python reference MinAtar (the benchmarks' denominators)");
  m.def("canonical_env_name",
        [](const std::string& name) { return BuiltinEnvs().Canonicalize(name); });
}

}  // namespace qlab::python
