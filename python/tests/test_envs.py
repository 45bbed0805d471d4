"""qlab.make: Gymnasium vector-env conventions, zero copy, same trajectories as the C++ API."""

import json
import threading

import numpy as np
import pytest

import qlab


def test_spec_spaces_and_dtypes():
    envs = qlab.make("minatar/breakout", num_envs=8, seed=1)
    assert envs.num_envs == 8
    spec = envs.spec
    assert spec.id == "minatar/breakout"
    assert spec.name == envs.name and "sticky=0.1" in spec.name
    assert spec.obs_shape == (4, 10, 10) and spec.obs_dtype == np.uint8 and spec.obs_binary
    assert spec.obs_labels == ("paddle", "ball", "trail", "brick")
    assert spec.version == "MinAtar 1.0.15"
    assert spec.action_space == qlab.spaces.Discrete(3)
    assert envs.single_action_space.n == 3
    assert envs.action_space == qlab.spaces.MultiDiscrete([3] * 8)
    assert envs.single_observation_space.shape == (4, 10, 10)
    assert envs.observation_space.shape == (8, 4, 10, 10)
    assert envs.observation_space.dtype == np.uint8
    assert envs.metadata["autoreset_mode"] == "same_step"

    obs, info = envs.reset()
    assert obs.shape == (8, 4, 10, 10) and obs.dtype == np.uint8 and info == {}
    assert obs in envs.observation_space
    obs, reward, terminated, truncated, info = envs.step(envs.action_space.sample())
    assert reward.shape == (8,) and reward.dtype == np.float32
    assert terminated.dtype == np.bool_ and truncated.dtype == np.bool_
    assert set(info) == {"final_obs", "_final_obs", "episode", "_episode"}
    assert info["final_obs"].shape == obs.shape and info["_final_obs"].dtype == np.bool_
    assert info["episode"]["r"].dtype == np.float64 and info["episode"]["l"].dtype == np.int32


def test_vector_observations_are_float32():
    envs = qlab.make("classic/cartpole", num_envs=3)
    obs, _ = envs.reset()
    assert obs.shape == (3, 4) and obs.dtype == np.float32
    assert envs.spec.max_episode_steps == 500
    assert envs.single_observation_space.dtype == np.float32


def test_lunar_lander_and_multi_task_lists():
    envs = qlab.make("box2d/lunar_lander", num_envs=2, seed=0)
    assert envs.spec.obs_shape == (8,) and envs.spec.max_episode_steps == 1000
    assert envs.single_action_space.n == 4
    obs, _ = envs.reset()
    assert obs.dtype == np.float32 and 1.3 < obs[0, 1] < 1.5  # starts near the top
    box = qlab.make("box2d/lunar_lander", continuous=True, num_envs=3, seed=1)
    assert box.single_action_space.shape == (2,) and box.action_space.shape == (3, 2)
    box.reset()
    obs, reward, terminated, truncated, _ = box.step(box.action_space.sample())
    assert obs.shape == (3, 8) and reward.dtype == np.float32
    with pytest.raises(qlab.Error, match=r"shape \(3, 2\)"):
        box.step(np.zeros(3))
    both = qlab.make("minatar/breakout(actions=full),minatar/freeway(actions=full)", num_envs=2)
    obs, _ = both.reset()
    assert obs.shape == (2, 9, 10, 10)  # freeway's 7 planes + one task plane per game
    assert obs[0, 7].all() and not obs[0, 8].any() and obs[1, 8].all()


def test_params_as_keywords():
    envs = qlab.make("minatar/breakout", sticky=0.0, ramping=False, max_steps=100)
    assert "sticky=0" in envs.name and "ramping=false" in envs.name
    assert envs.spec.max_episode_steps == 100
    names = [e["name"] for e in qlab.list_envs()]
    assert "minatar/seaquest" in names and "classic/cartpole" in names
    breakout = next(e for e in qlab.list_envs() if e["name"] == "minatar/breakout")
    assert {p["name"] for p in breakout["params"]} >= {"sticky", "ramping", "actions", "max_steps"}


def test_arrays_alias_the_env_buffers():
    envs = qlab.make("minatar/space_invaders", num_envs=16, seed=3)
    obs, _ = envs.reset()
    address = obs.__array_interface__["data"][0]
    rng = np.random.default_rng(0)
    first = None
    for _ in range(50):
        step = envs.step(rng.integers(0, envs.single_action_space.n, 16))
        first = first or step
        for array, previous in zip(step[:4], first[:4]):
            assert array is previous  # the same views every step: no per-step arrays
        assert step[0].__array_interface__["data"][0] == address
    assert not obs.flags.writeable
    with pytest.raises(ValueError):
        obs[0, 0, 0, 0] = 1
    assert envs.reset()[0].__array_interface__["data"][0] == address


def test_views_outlive_the_env():
    envs = qlab.make("minatar/freeway", num_envs=4, seed=2)
    obs, _ = envs.reset()
    snapshot = np.array(obs)
    del envs
    import gc
    gc.collect()
    np.testing.assert_array_equal(obs, snapshot)  # buffers kept alive by the views


def _trace(qlab_cli, tmp_path, env, seed):
    path = tmp_path / "trace.jsonl"
    qlab_cli("rollout", "--env", env, "--seed", seed, "--trace", path)
    lines = [json.loads(line) for line in open(path)]
    return lines[0], lines[1:]


@pytest.mark.parametrize("env,seed", [
    ("minatar/breakout", 5),                 # sticky actions: the env's own seeded stream
    ("minatar/seaquest(sticky=0.1)", 11),
    ("classic/cartpole", 3),                 # float observations
    ("classic/mountain_car(max_steps=40)", 2),  # ends by truncation
])
def test_same_trajectory_as_the_cpp_api(qlab_cli, tmp_path, env, seed):
    first, steps = _trace(qlab_cli, tmp_path, env, seed)
    assert steps and (steps[-1]["terminated"] or steps[-1]["truncated"])
    # env 0 of a batch is the env a single-env run gets: compare both batch sizes
    for num_envs, threads in ((1, 1), (4, 2)):
        envs = qlab.make(env, num_envs=num_envs, seed=seed, num_threads=threads)
        obs, _ = envs.reset()
        np.testing.assert_array_equal(obs[0].ravel(), np.array(first["obs"], dtype=obs.dtype))
        actions = np.zeros(num_envs, dtype=np.int64)
        for step in steps:
            actions[0] = step["action"]
            obs, reward, terminated, truncated, info = envs.step(actions)
            done = step["terminated"] or step["truncated"]
            seen = info["final_obs"][0] if done else obs[0]
            assert bool(info["_final_obs"][0]) == done
            np.testing.assert_array_equal(seen.ravel(), np.array(step["obs"], dtype=obs.dtype),
                                          err_msg=f"step {step['t']}")
            assert reward[0] == np.float32(step["reward"])
            assert bool(terminated[0]) == step["terminated"]
            assert bool(truncated[0]) == step["truncated"]
        assert info["episode"]["l"][0] == len(steps)
        assert info["episode"]["r"][0] == pytest.approx(sum(s["reward"] for s in steps))


def _rollout(envs, steps, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(steps):
        obs, reward, terminated, truncated, _ = envs.step(
            rng.integers(0, envs.single_action_space.n, envs.num_envs))
        out.append((np.array(obs), np.array(reward), np.array(terminated), np.array(truncated)))
    return out


def _assert_same(a, b):
    for x, y in zip(a, b):
        for u, v in zip(x, y):
            np.testing.assert_array_equal(u, v)


def test_seeds_threads_and_state():
    def fresh(seed, threads=1):
        envs = qlab.make("minatar/asterix", num_envs=32, seed=seed, num_threads=threads)
        envs.reset()
        return envs

    reference = _rollout(fresh(7), 200)
    _assert_same(_rollout(fresh(7, threads=2), 200), reference)   # any thread count
    other = _rollout(fresh(8), 200)
    assert any(not np.array_equal(x[0], y[0]) for x, y in zip(other, reference))

    envs = fresh(1)
    _rollout(envs, 30)
    envs.reset(seed=7)  # reseeding restarts every stream
    _assert_same(_rollout(envs, 200), reference)

    envs = fresh(7)
    head = _rollout(envs, 100)
    state = envs.get_state()
    tail = _rollout(envs, 100, seed=1)
    restored = fresh(99)
    restored.set_state(state)
    _assert_same(_rollout(restored, 100, seed=1), tail)
    _assert_same(head, reference[:100])


def test_same_step_autoreset_reports_the_finished_episode():
    envs = qlab.make("classic/cartpole", num_envs=4, seed=0)
    obs, _ = envs.reset()
    returns = np.zeros(4)
    lengths = np.zeros(4, dtype=int)
    finished = 0
    rng = np.random.default_rng(1)
    while finished < 10:
        previous = np.array(obs)
        obs, reward, terminated, truncated, info = envs.step(rng.integers(0, 2, 4))
        returns += reward
        lengths += 1
        done = terminated | truncated
        np.testing.assert_array_equal(info["_final_obs"], done)
        for i in np.flatnonzero(done):
            assert info["episode"]["r"][i] == pytest.approx(returns[i])
            assert info["episode"]["l"][i] == lengths[i]
            # the final observation continues the old episode; obs starts a new one
            assert np.abs(info["final_obs"][i] - previous[i]).max() < 0.5
            assert np.abs(obs[i]).max() <= 0.05
            returns[i], lengths[i] = 0, 0
            finished += 1


@pytest.mark.parametrize("call,message", [
    (lambda: qlab.make("minatar/brekout"), "unknown env 'minatar/brekout'; did you mean"),
    (lambda: qlab.make("minatar/breakout", stickyy=0.1), "stickyy"),
    (lambda: qlab.make("minatar/breakout(sticky=2)"), "sticky"),
    (lambda: qlab.make("minatar/breakout(sticky=0)", ramping=True), "not both"),
    (lambda: qlab.make("minatar/breakout", num_envs=0), "num_envs must be >= 1, got 0"),
    (lambda: qlab.make("minatar/breakout", seed=-1), "seed must be a non-negative integer"),
    (lambda: qlab.make("minatar/breakout", num_threads=-2), "num_threads must be >= 0"),
])
def test_bad_arguments_raise_qlab_errors(call, message):
    with pytest.raises(qlab.Error, match=message.replace("(", r"\(")):
        call()


def test_bad_steps_raise_qlab_errors():
    envs = qlab.make("minatar/breakout", num_envs=4)
    with pytest.raises(qlab.Error, match=r"call reset\(\) before the first step\(\)"):
        envs.step(np.zeros(4, dtype=np.int64))
    envs.reset()
    cases = [
        (np.array([0, 1, 3, 0]), r"action 3 of env 2 is out of range: minatar/breakout has 3 "
                                 r"actions \(0..2\)"),
        (np.array([0, -1, 0, 0]), "action -1 of env 1 is out of range"),
        (np.zeros(3, dtype=np.int64), r"actions must have shape \(4,\), got \(3,\)"),
        (np.zeros((4, 1), dtype=np.int64), r"actions must have shape \(4,\), got \(4, 1\)"),
        (np.zeros(4), "actions must be integers, got dtype float64"),
        ("left", "actions must be integers"),
    ]
    for actions, message in cases:
        with pytest.raises(qlab.Error, match=message):
            envs.step(actions)
    envs.step([0, 1, 2, 0])  # lists and other integer dtypes are fine
    envs.step(np.array([2, 1, 0, 1], dtype=np.uint8))
    with pytest.raises(qlab.Error, match="does not fit"):
        envs.set_state(b"corrupt")
    assert issubclass(qlab.Error, ValueError)
    with pytest.raises(qlab.Error, match="reset options"):
        envs.reset(options={"x": 1})


def test_gil_is_released_while_stepping():
    # A second thread can only enter step() while the first is inside it if the first released
    # the GIL; qlab then refuses the concurrent call with a clear error instead of racing.
    envs = qlab.make("minatar/space_invaders", num_envs=20000, seed=0)
    envs.reset()
    actions = np.zeros(20000, dtype=np.int64)
    stop = threading.Event()
    refused = []

    def stepper():
        while not stop.is_set():
            try:
                envs.step(actions)
            except qlab.Error as e:
                refused.append(str(e))

    thread = threading.Thread(target=stepper)
    thread.start()
    try:
        for _ in range(2000):
            try:
                envs.step(actions)
            except qlab.Error as e:
                refused.append(str(e))
            if refused:
                break
    finally:
        stop.set()
        thread.join()
    assert refused and "two threads at once" in refused[0]
