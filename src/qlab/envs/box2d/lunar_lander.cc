#include "qlab/envs/box2d/lunar_lander.h"

#include <box2d/box2d.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"
#include "qlab/envs/builtin.h"

namespace qlab {
namespace box2d {

namespace {

// Gymnasium's constants (pixels are divided by kScale into Box2D metres)
constexpr double kFps = 50.0;
constexpr double kScale = 30.0;
constexpr double kMainEnginePower = 13.0;
constexpr double kSideEnginePower = 0.6;
constexpr double kInitialRandom = 1000.0;
constexpr double kLegAway = 20.0, kLegDown = 18.0, kLegW = 2.0, kLegH = 8.0;
constexpr double kLegSpringTorque = 40.0;
constexpr double kSideEngineHeight = 14.0, kSideEngineAway = 12.0;
constexpr double kViewportW = 600.0, kViewportH = 400.0;
constexpr int kChunks = 11;
constexpr uint16_t kGround = 0x0001, kLanderCategory = 0x0010, kLegCategory = 0x0020;

}  // namespace

// Contact flags as Gymnasium's ContactDetector: any contact of the body ends the game; legs
// track whether they touch the ground.
class LunarLander::Contacts : public b2ContactListener {
 public:
  explicit Contacts(LunarLander* env) : env_(env) {}
  void BeginContact(b2Contact* contact) override { Update(contact, true); }
  void EndContact(b2Contact* contact) override { Update(contact, false); }

 private:
  void Update(b2Contact* contact, bool begin) {
    const b2Body* a = contact->GetFixtureA()->GetBody();
    const b2Body* b = contact->GetFixtureB()->GetBody();
    if (begin && (a == env_->lander_ || b == env_->lander_)) env_->game_over_ = true;
    for (int i = 0; i < 2; ++i)
      if (a == env_->legs_[i] || b == env_->legs_[i]) env_->leg_contact_[i] = begin;
  }
  LunarLander* env_;
};

LunarLander::LunarLander(const LunarLanderOptions& options)
    : options_(options), contacts_(std::make_unique<Contacts>(this)) {
  if (options_.continuous) {
    box_actions_.reserve(2 * kMaxEpisodeSteps);
  } else {
    actions_.reserve(kMaxEpisodeSteps);
  }
}

LunarLander::LunarLander(const LunarLander& other) : LunarLander(other.options_) {
  if (other.world_) {
    std::string bytes;
    other.Save(bytes);
    Load(bytes);
  }
}

LunarLander& LunarLander::operator=(const LunarLander& other) {
  if (this == &other) return *this;
  options_ = other.options_;
  if (other.world_) {
    std::string bytes;
    other.Save(bytes);
    Load(bytes);
  } else {
    world_.reset();
    actions_.clear();
    box_actions_.clear();
  }
  return *this;
}

LunarLander::~LunarLander() = default;

EnvSpec LunarLander::MakeSpec() const {
  EnvSpec spec;
  spec.id = "box2d/lunar_lander";
  spec.version = "LunarLander-v3 (Gymnasium 1.x rules, Box2D 2.4.1)";
  spec.obs_shape = {8};
  spec.obs_dtype = DType::kFloat32;
  spec.obs_labels = {
      "x", "y", "vx", "vy", "angle", "angular_velocity", "left_leg_contact", "right_leg_contact"};
  if (options_.continuous) {
    // main: off below 0, else throttle 50%..100%; lateral: off within +-0.5, else left / right
    spec.action_space.kind = ActionSpace::Kind::kBox;
    spec.action_space.low = {-1.0f, -1.0f};
    spec.action_space.high = {1.0f, 1.0f};
  } else {
    spec.action_space.n = 4;
    spec.action_space.names = {"noop", "left_engine", "main_engine", "right_engine"};
  }
  return spec;  // rewards: shaping differences and +-100, unbounded in principle
}

void LunarLander::Reset(Rng& rng) {
  reset_rng_ = rng;
  actions_.clear();
  box_actions_.clear();
  // a fresh world per episode: the episode is a function of its RNG draws and actions alone
  world_.reset();
  world_.emplace(b2Vec2(0.0f, static_cast<float>(options_.gravity)));
  world_->SetContactListener(contacts_.get());
  game_over_ = false;
  has_prev_shaping_ = false;
  leg_contact_[0] = leg_contact_[1] = false;
  // v3 draws the wind offsets at every reset
  wind_index_ = static_cast<int64_t>(rng.UniformInt(-9999, 9999));
  torque_index_ = static_cast<int64_t>(rng.UniformInt(-9999, 9999));

  // terrain: 11 chunks of random height, flattened around the pad, smoothed
  const double w = kViewportW / kScale, h = kViewportH / kScale;
  double height[kChunks + 1];
  for (double& y : height) y = rng.Uniform(0.0, h / 2);
  double chunk_x[kChunks];
  for (int i = 0; i < kChunks; ++i) chunk_x[i] = w / (kChunks - 1) * i;
  helipad_y_ = h / 4;
  for (int k = -2; k <= 2; ++k) height[kChunks / 2 + k] = helipad_y_;
  double smooth_y[kChunks];
  for (int i = 0; i < kChunks; ++i)
    smooth_y[i] = 0.33 * (height[i == 0 ? kChunks : i - 1] + height[i] + height[i + 1]);

  b2BodyDef moon_def;  // static
  moon_ = world_->CreateBody(&moon_def);
  b2EdgeShape floor;
  floor.SetTwoSided(b2Vec2(0.0f, 0.0f), b2Vec2(static_cast<float>(w), 0.0f));
  b2FixtureDef floor_fixture;
  floor_fixture.shape = &floor;
  floor_fixture.friction = 0.2f;  // pybox2d's default
  moon_->CreateFixture(&floor_fixture);
  for (int i = 0; i < kChunks - 1; ++i) {
    b2EdgeShape edge;
    edge.SetTwoSided(
        b2Vec2(static_cast<float>(chunk_x[i]), static_cast<float>(smooth_y[i])),
        b2Vec2(static_cast<float>(chunk_x[i + 1]), static_cast<float>(smooth_y[i + 1])));
    b2FixtureDef fixture;
    fixture.shape = &edge;
    fixture.density = 0.0f;
    fixture.friction = 0.1f;
    moon_->CreateFixture(&fixture);
  }

  // the craft at the top centre, pushed by a random force
  const double initial_y = kViewportH / kScale;
  b2BodyDef lander_def;
  lander_def.type = b2_dynamicBody;
  lander_def.position.Set(static_cast<float>(kViewportW / kScale / 2),
                          static_cast<float>(initial_y));
  lander_ = world_->CreateBody(&lander_def);
  const double poly[6][2] = {{-14, 17}, {-17, 0}, {-17, -10}, {17, -10}, {17, 0}, {14, 17}};
  b2Vec2 vertices[6];
  for (int i = 0; i < 6; ++i)
    vertices[i].Set(static_cast<float>(poly[i][0] / kScale),
                    static_cast<float>(poly[i][1] / kScale));
  b2PolygonShape hull;
  hull.Set(vertices, 6);
  b2FixtureDef hull_fixture;
  hull_fixture.shape = &hull;
  hull_fixture.density = 5.0f;
  hull_fixture.friction = 0.1f;
  hull_fixture.restitution = 0.0f;
  hull_fixture.filter.categoryBits = kLanderCategory;
  hull_fixture.filter.maskBits = kGround;
  lander_->CreateFixture(&hull_fixture);
  const double fx = rng.Uniform(-kInitialRandom, kInitialRandom);
  const double fy = rng.Uniform(-kInitialRandom, kInitialRandom);
  lander_->ApplyForceToCenter(b2Vec2(static_cast<float>(fx), static_cast<float>(fy)), true);

  // legs on spring-loaded revolute joints
  for (int k = 0; k < 2; ++k) {
    const int i = k == 0 ? -1 : +1;
    b2BodyDef leg_def;
    leg_def.type = b2_dynamicBody;
    leg_def.position.Set(static_cast<float>(kViewportW / kScale / 2 - i * kLegAway / kScale),
                         static_cast<float>(initial_y));
    leg_def.angle = static_cast<float>(i * 0.05);
    legs_[k] = world_->CreateBody(&leg_def);
    b2PolygonShape box;
    box.SetAsBox(static_cast<float>(kLegW / kScale), static_cast<float>(kLegH / kScale));
    b2FixtureDef leg_fixture;
    leg_fixture.shape = &box;
    leg_fixture.density = 1.0f;
    leg_fixture.restitution = 0.0f;
    leg_fixture.friction = 0.2f;  // pybox2d's default
    leg_fixture.filter.categoryBits = kLegCategory;
    leg_fixture.filter.maskBits = kGround;
    legs_[k]->CreateFixture(&leg_fixture);
    b2RevoluteJointDef joint;
    joint.bodyA = lander_;
    joint.bodyB = legs_[k];
    joint.localAnchorA.Set(0.0f, 0.0f);
    joint.localAnchorB.Set(static_cast<float>(i * kLegAway / kScale),
                           static_cast<float>(kLegDown / kScale));
    joint.enableMotor = true;
    joint.enableLimit = true;
    joint.maxMotorTorque = static_cast<float>(kLegSpringTorque);
    joint.motorSpeed = static_cast<float>(0.3 * i);  // low enough not to jump back into the sky
    if (i == -1) {
      joint.lowerAngle = static_cast<float>(0.9 - 0.5);
      joint.upperAngle = 0.9f;
    } else {
      joint.lowerAngle = -0.9f;
      joint.upperAngle = static_cast<float>(-0.9 + 0.5);
    }
    world_->CreateJoint(&joint);
  }
  // Gymnasium's reset returns the observation after one step with the engines off
  Advance(0.0, 0.0, 0.0, rng);
}

StepOutcome LunarLander::Step(int action, Rng& rng) {
  QLAB_CHECK(!options_.continuous);
  actions_.push_back(static_cast<uint8_t>(action));
  // 1: left engine, 2: main engine, 3: right engine
  const bool side = action == 1 || action == 3;
  return Advance(action == 2 ? 1.0 : 0.0, side ? 1.0 : 0.0, side ? action - 2 : 0.0, rng);
}

StepOutcome LunarLander::Step(std::span<const float> action, Rng& rng) {
  QLAB_CHECK(options_.continuous && action.size() == 2);
  box_actions_.insert(box_actions_.end(), action.begin(), action.end());
  const double main = std::clamp(static_cast<double>(action[0]), -1.0, 1.0);
  const double lateral = std::clamp(static_cast<double>(action[1]), -1.0, 1.0);
  const double m_power = main > 0.0 ? (std::clamp(main, 0.0, 1.0) + 1.0) * 0.5 : 0.0;  // 0.5..1
  const bool side = std::abs(lateral) > 0.5;
  const double s_power = side ? std::clamp(std::abs(lateral), 0.5, 1.0) : 0.0;
  return Advance(m_power, s_power, side ? (lateral > 0 ? 1.0 : -1.0) : 0.0, rng);
}

StepOutcome LunarLander::Advance(double m_power, double s_power, double direction, Rng& rng) {
  if (options_.enable_wind && !(leg_contact_[0] || leg_contact_[1])) {
    // tanh(sin(2 k t) + sin(pi k t)), k = 0.01: never periodic
    const auto wave = [](int64_t t) {
      const double x = static_cast<double>(t);
      return std::tanh(std::sin(0.02 * x) + std::sin(std::numbers::pi * 0.01 * x));
    };
    const double wind = wave(wind_index_++) * options_.wind_power;
    lander_->ApplyForceToCenter(b2Vec2(static_cast<float>(wind), 0.0f), true);
    const double torque = wave(torque_index_++) * options_.turbulence_power;
    lander_->ApplyTorque(static_cast<float>(torque), true);
  }
  const double angle = lander_->GetAngle();
  const double tip[2] = {std::sin(angle), std::cos(angle)};
  const double side[2] = {-tip[1], tip[0]};
  double dispersion[2];
  for (double& d : dispersion) d = rng.Uniform(-1.0, 1.0) / kScale;
  const b2Vec2 position = lander_->GetPosition();

  if (m_power > 0.0) {
    // 4 is a bit downwards, +-2 for randomness
    const double ox = tip[0] * (4 / kScale + 2 * dispersion[0]) + side[0] * dispersion[1];
    const double oy = -tip[1] * (4 / kScale + 2 * dispersion[0]) - side[1] * dispersion[1];
    const b2Vec2 at(static_cast<float>(position.x + ox), static_cast<float>(position.y + oy));
    lander_->ApplyLinearImpulse(b2Vec2(static_cast<float>(-ox * kMainEnginePower * m_power),
                                       static_cast<float>(-oy * kMainEnginePower * m_power)),
                                at, true);
  }
  if (s_power > 0.0) {
    const double ox = tip[0] * dispersion[0] +
                      side[0] * (3 * dispersion[1] + direction * kSideEngineAway / kScale);
    const double oy = -tip[1] * dispersion[0] -
                      side[1] * (3 * dispersion[1] + direction * kSideEngineAway / kScale);
    const b2Vec2 at(static_cast<float>(position.x + ox - tip[0] * 17 / kScale),
                    static_cast<float>(position.y + oy + tip[1] * kSideEngineHeight / kScale));
    lander_->ApplyLinearImpulse(b2Vec2(static_cast<float>(-ox * kSideEnginePower * s_power),
                                       static_cast<float>(-oy * kSideEnginePower * s_power)),
                                at, true);
  }
  world_->Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);

  const b2Vec2 pos = lander_->GetPosition();
  const b2Vec2 vel = lander_->GetLinearVelocity();
  const double half_w = kViewportW / kScale / 2, half_h = kViewportH / kScale / 2;
  const double s[8] = {
      (pos.x - half_w) / half_w,   (pos.y - (helipad_y_ + kLegDown / kScale)) / half_h,
      vel.x * half_w / kFps,       vel.y * half_h / kFps,
      lander_->GetAngle(),         20.0 * lander_->GetAngularVelocity() / kFps,
      leg_contact_[0] ? 1.0 : 0.0, leg_contact_[1] ? 1.0 : 0.0};
  for (int i = 0; i < 8; ++i) state_[i] = static_cast<float>(s[i]);

  // Gymnasium computes the shaping on the float32 observation it returns
  const auto f = [&](int i) { return static_cast<double>(state_[i]); };
  const double shaping = -100 * std::sqrt(f(0) * f(0) + f(1) * f(1)) -
                         100 * std::sqrt(f(2) * f(2) + f(3) * f(3)) - 100 * std::abs(f(4)) +
                         10 * f(6) + 10 * f(7);
  double reward = has_prev_shaping_ ? shaping - prev_shaping_ : 0.0;
  prev_shaping_ = shaping;
  has_prev_shaping_ = true;
  reward -= m_power * 0.30;  // less fuel spent is better
  reward -= s_power * 0.03;
  bool terminated = false;
  if (game_over_ || std::abs(f(0)) >= 1.0) {
    terminated = true;
    reward = -100;
  }
  if (!lander_->IsAwake()) {
    terminated = true;
    reward = +100;
  }
  return {.reward = reward, .terminated = terminated};
}

void LunarLander::WriteObs(float* out) const { std::memcpy(out, state_, sizeof(state_)); }

void LunarLander::Save(std::string& out) const {
  const uint64_t count = options_.continuous ? box_actions_.size() / 2 : actions_.size();
  out.append(reinterpret_cast<const char*>(&reset_rng_), sizeof(reset_rng_));
  out.append(reinterpret_cast<const char*>(&count), sizeof(count));
  if (options_.continuous) {
    out.append(reinterpret_cast<const char*>(box_actions_.data()),
               box_actions_.size() * sizeof(float));
  } else {
    out.append(reinterpret_cast<const char*>(actions_.data()), actions_.size());
  }
}

void LunarLander::Load(std::string_view bytes) {
  uint64_t count = 0;
  constexpr size_t kHeader = sizeof(Rng) + sizeof(count);
  if (bytes.size() < kHeader) throw UserError("box2d/lunar_lander state is truncated");
  Rng rng;
  std::memcpy(static_cast<void*>(&rng), bytes.data(), sizeof(Rng));
  std::memcpy(&count, bytes.data() + sizeof(Rng), sizeof(count));
  const size_t per_step = options_.continuous ? 2 * sizeof(float) : 1;
  if (bytes.size() != kHeader + count * per_step)
    throw UserError("box2d/lunar_lander state does not fit its action count (other parameters?)");
  const char* payload = bytes.data() + kHeader;
  Reset(rng);
  for (uint64_t k = 0; k < count; ++k) {
    if (options_.continuous) {
      float action[2];
      std::memcpy(action, payload + k * per_step, sizeof(action));
      Step(std::span<const float>(action, 2), rng);
    } else {
      const auto action = static_cast<uint8_t>(payload[k]);
      if (action > 3) throw UserError("box2d/lunar_lander state holds an invalid action");
      Step(action, rng);
    }
  }
}

}  // namespace box2d

void RegisterBox2dEnvs(Registry& registry) {
  registry.Add(
      {.name = "box2d/lunar_lander",
       .description = "land a craft on the pad (LunarLander-v3; continuous=true: Box(2))",
       .reference = "Gymnasium 1.x box2d/lunar_lander.py rules on Box2D 2.4.1 (docs/envs.md)",
       .default_max_steps = box2d::LunarLander::kMaxEpisodeSteps,
       .params = {{.name = "gravity",
                   .type = ParamSpec::Type::kFloat,
                   .default_value = "-10",
                   .doc = "gravity (Gymnasium: between -12 and 0)",
                   .min = -11.999,
                   .max = -0.001},
                  {.name = "wind",
                   .type = ParamSpec::Type::kBool,
                   .default_value = "false",
                   .doc = "wind and turbulence on the craft while no leg touches (enable_wind)"},
                  {.name = "wind_power",
                   .type = ParamSpec::Type::kFloat,
                   .default_value = "15",
                   .doc = "largest wind force",
                   .min = 0.0,
                   .max = 20.0},
                  {.name = "turbulence_power",
                   .type = ParamSpec::Type::kFloat,
                   .default_value = "1.5",
                   .doc = "largest turbulence torque",
                   .min = 0.0,
                   .max = 2.0},
                  {.name = "continuous",
                   .type = ParamSpec::Type::kBool,
                   .default_value = "false",
                   .doc = "Box(2) actions: main and lateral throttle (LunarLanderContinuous)"}},
       .make = MakeEnvFactory<box2d::LunarLander>([](const Params& p) {
         return box2d::LunarLander({.gravity = p.GetFloat("gravity"),
                                    .enable_wind = p.GetBool("wind"),
                                    .wind_power = p.GetFloat("wind_power"),
                                    .turbulence_power = p.GetFloat("turbulence_power"),
                                    .continuous = p.GetBool("continuous")});
       })});
}

}  // namespace qlab
