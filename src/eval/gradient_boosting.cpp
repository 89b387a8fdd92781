#include "doppel/eval/gradient_boosting.hpp"

#include <xgboost/c_api.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <thread>

#include "doppel/error.hpp"

namespace doppel::eval {

namespace {

void check(int rc, const char* what) {
  if (rc != 0) throw Error(std::string("gradient boosting (XGBoost) ") + what + ": " + XGBGetLastError());
}

// Owns one DMatrix.
struct Matrix {
  DMatrixHandle h = nullptr;
  Matrix(const FeatureMatrix& m, const std::vector<float>* labels) {
    if (m.n < 1 || m.d < 1) throw Error("gradient boosting: empty feature matrix");
    check(XGDMatrixCreateFromMat(m.x.data(), bst_ulong(m.n), bst_ulong(m.d),
                                 std::numeric_limits<float>::quiet_NaN(), &h),
          "matrix");
    if (labels) check(XGDMatrixSetFloatInfo(h, "label", labels->data(), bst_ulong(labels->size())), "labels");
  }
  ~Matrix() { XGDMatrixFree(h); }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;
};

// "[12]\tvalid-mae:123.4" -> 123.4
double parse_eval(const char* s) {
  const char* colon = std::strrchr(s, ':');
  if (!colon) throw Error(std::string("gradient boosting: unreadable evaluation line '") + s + "'");
  return std::strtod(colon + 1, nullptr);
}

}  // namespace

BoostedTrees::~BoostedTrees() {
  if (booster_) XGBoosterFree(booster_);
}

BoostedTrees::BoostedTrees(BoostedTrees&& o) noexcept : booster_(o.booster_), rounds_(o.rounds_) {
  o.booster_ = nullptr;
}

BoostedTrees& BoostedTrees::operator=(BoostedTrees&& o) noexcept {
  if (this != &o) {
    if (booster_) XGBoosterFree(booster_);
    booster_ = o.booster_;
    rounds_ = o.rounds_;
    o.booster_ = nullptr;
  }
  return *this;
}

BoostingFit BoostedTrees::fit(const FeatureMatrix& train, const std::vector<float>& y_train,
                              const FeatureMatrix& valid, const std::vector<float>& y_valid,
                              const BoostingOptions& o) {
  if (size_t(train.n) != y_train.size() || size_t(valid.n) != y_valid.size())
    throw Error("gradient boosting: as many labels as rows are needed");
  if (train.d != valid.d) throw Error("gradient boosting: training and validation columns differ");
  if (o.max_rounds < 1 || o.early_stopping < 1) throw Error("gradient boosting: rounds must be positive");
  if (booster_) XGBoosterFree(booster_), booster_ = nullptr;
  Matrix dtrain(train, &y_train), dvalid(valid, &y_valid);
  DMatrixHandle both[] = {dtrain.h, dvalid.h};
  check(XGBoosterCreate(both, 2, &booster_), "create");
  const bool classify = o.objective == "binary:logistic";
  const int threads = o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  const std::pair<const char*, std::string> params[] = {
      {"objective", o.objective},
      {"eval_metric", classify ? "logloss" : "mae"},
      {"tree_method", "hist"},
      {"max_depth", std::to_string(o.max_depth)},
      {"eta", std::to_string(o.learning_rate)},
      {"subsample", std::to_string(o.subsample)},
      {"colsample_bytree", std::to_string(o.colsample)},
      {"nthread", std::to_string(threads)},
      {"seed", std::to_string(o.seed % 2147483647ULL)},
      {"verbosity", "0"},
  };
  for (const auto& [k, v] : params) check(XGBoosterSetParam(booster_, k, v.c_str()), k);

  DMatrixHandle evals[] = {dvalid.h};
  const char* names[] = {"valid"};
  BoostingFit best{0, std::numeric_limits<double>::infinity()};
  for (int round = 0; round < o.max_rounds; ++round) {
    check(XGBoosterUpdateOneIter(booster_, round, dtrain.h), "update");
    const char* line = nullptr;
    check(XGBoosterEvalOneIter(booster_, round, evals, names, 1, &line), "evaluate");
    const double loss = parse_eval(line);
    if (loss < best.validation_loss) best = {round + 1, loss};
    else if (round + 1 - best.rounds >= o.early_stopping) break;
  }
  rounds_ = best.rounds;
  return best;
}

std::vector<float> BoostedTrees::predict(const FeatureMatrix& x) const {
  if (!booster_) throw Error("gradient boosting: predict before fit");
  Matrix m(x, nullptr);
  // Trees of the best validation round only (iteration_end), as early stopping intends.
  const std::string config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": )" +
                             std::to_string(rounds_) + R"(, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  check(XGBoosterPredictFromDMatrix(booster_, m.h, config.c_str(), &shape, &dim, &out), "predict");
  return std::vector<float>(out, out + x.n);
}

}  // namespace doppel::eval
