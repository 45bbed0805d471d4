#!/usr/bin/env python3
"""The Python PyTorch baseline of `qlab bench train` (docs/benchmarks.md).

A DQN training loop in the style of CleanRL/Dopamine with the Dopamine MinAtar protocol's shapes:
network conv 16 3x3 SAME -> dense 6 on 4x10x10 inputs, batch 32, one update every 4 env steps
after 1000 warm-up steps, Adam (lr 2.5e-4, eps 3.125e-4), MSE loss, target sync every 1000 steps,
epsilon-greedy acting with one forward pass per env step, a numpy replay of 100k transitions.
The environment is a stand-in that costs nothing (random binary frames), so the ratio qlab / this
loop is a lower bound on the ratio against a real Python MinAtar loop.

  /usr/bin/python3 bench/python_dqn_loop.py --steps 20000   (needs Debian python3-torch)
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    def network():
        return nn.Sequential(nn.Conv2d(4, 16, 3, padding="same"), nn.ReLU(), nn.Flatten(),
                             nn.Linear(1600, 6))

    online, target = network(), network()
    target.load_state_dict(online.state_dict())
    optimizer = torch.optim.Adam(online.parameters(), lr=2.5e-4, eps=3.125e-4)
    capacity = 100000
    obs_buf = np.zeros((capacity, 4, 10, 10), dtype=np.uint8)
    next_buf = np.zeros((capacity, 4, 10, 10), dtype=np.uint8)
    act_buf = np.zeros(capacity, dtype=np.int64)
    rew_buf = np.zeros(capacity, dtype=np.float32)
    done_buf = np.zeros(capacity, dtype=np.float32)
    obs = (rng.random((4, 10, 10)) < 0.05).astype(np.uint8)
    size = 0
    updates = 0
    start = time.perf_counter()
    for step in range(args.steps):
        epsilon = max(0.01, 1.0 - 0.99 * max(0, step - 1000) / 250000)
        if rng.random() < epsilon:
            action = int(rng.integers(6))
        else:
            with torch.no_grad():
                action = int(online(torch.as_tensor(obs, dtype=torch.float32)[None]).argmax(1))
        next_obs = (rng.random((4, 10, 10)) < 0.05).astype(np.uint8)
        reward, done = float(rng.random() < 0.01), float(rng.random() < 0.002)
        i = step % capacity
        obs_buf[i], next_buf[i], act_buf[i], rew_buf[i], done_buf[i] = obs, next_obs, action, reward, done
        size = min(size + 1, capacity)
        obs = next_obs
        if step >= 1000 and step % 4 == 0:
            idx = rng.integers(size, size=32)
            b_obs = torch.as_tensor(obs_buf[idx], dtype=torch.float32)
            b_next = torch.as_tensor(next_buf[idx], dtype=torch.float32)
            with torch.no_grad():
                tgt = torch.as_tensor(rew_buf[idx]) + 0.99 * (1 - torch.as_tensor(done_buf[idx])) * target(b_next).max(1).values
            q = online(b_obs).gather(1, torch.as_tensor(act_buf[idx])[:, None]).squeeze(1)
            loss = nn.functional.mse_loss(q, tgt)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()
            updates += 1
        if step % 1000 == 0:
            target.load_state_dict(online.state_dict())
    wall = time.perf_counter() - start
    print(json.dumps({"env_steps_per_s": args.steps / wall, "updates_per_s": updates / wall,
                      "env_steps": args.steps, "updates": updates, "wall_s": wall}))


if __name__ == "__main__":
    main()
