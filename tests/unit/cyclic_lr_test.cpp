// Values computed by hand from Smith 2017's formula (base 0.001, max 0.006, step 10).
#include <gtest/gtest.h>

#include "doppel/optim/cyclic_lr.hpp"
#include "doppel/error.hpp"

using doppel::CyclicLR;
using doppel::CyclicMode;

TEST(CyclicLR, TriangularRisesAndFalls) {
  CyclicLR s(CyclicMode::Triangular, 0.001, 0.006, 10);
  EXPECT_DOUBLE_EQ(s.lr(0), 0.001);
  EXPECT_DOUBLE_EQ(s.lr(5), 0.0035);   // halfway up: 0.001 + 0.005 * 0.5
  EXPECT_DOUBLE_EQ(s.lr(10), 0.006);   // peak
  EXPECT_DOUBLE_EQ(s.lr(13), 0.0045);  // 0.001 + 0.005 * 0.7
  EXPECT_DOUBLE_EQ(s.lr(20), 0.001);   // back to base
  EXPECT_DOUBLE_EQ(s.lr(25), 0.0035);  // second cycle identical
  EXPECT_DOUBLE_EQ(s.lr(30), 0.006);
}

TEST(CyclicLR, Triangular2HalvesAmplitudeEachCycle) {
  CyclicLR s(CyclicMode::Triangular2, 0.001, 0.006, 10);
  EXPECT_DOUBLE_EQ(s.lr(10), 0.006);
  EXPECT_DOUBLE_EQ(s.lr(30), 0.0035);    // cycle 2: 0.001 + 0.005 / 2
  EXPECT_DOUBLE_EQ(s.lr(25), 0.00225);   // cycle 2, x = 0.5: 0.001 + 0.005 * 0.5 / 2
  EXPECT_DOUBLE_EQ(s.lr(50), 0.00225);   // cycle 3 peak: 0.001 + 0.005 / 4
  EXPECT_DOUBLE_EQ(s.lr(40), 0.001);
}

TEST(CyclicLR, ExpRangeDecaysWithGammaPowStep) {
  CyclicLR s(CyclicMode::ExpRange, 0.001, 0.006, 10, 0.9);
  EXPECT_DOUBLE_EQ(s.lr(0), 0.001);
  EXPECT_NEAR(s.lr(10), 0.001 + 0.005 * 0.3486784401, 1e-15);          // 0.9^10
  EXPECT_NEAR(s.lr(5), 0.001 + 0.005 * 0.5 * 0.59049, 1e-15);         // 0.9^5
  EXPECT_NEAR(s.lr(30), 0.001 + 0.005 * 0.04239115827521624, 1e-15);  // 0.9^30
}

TEST(CyclicLR, ConstantIsBase) {
  CyclicLR s(CyclicMode::Constant, 0.0002, 0.006, 10);
  EXPECT_DOUBLE_EQ(s.lr(0), 0.0002);
  EXPECT_DOUBLE_EQ(s.lr(12345), 0.0002);
}

TEST(CyclicLR, RejectsBadSettings) {
  EXPECT_THROW(CyclicLR(CyclicMode::Triangular, 0.001, 0.006, 0), doppel::Error);
  EXPECT_THROW(CyclicLR(CyclicMode::ExpRange, 0.001, 0.006, 10, 1.5), doppel::Error);
  EXPECT_THROW(doppel::cyclic_mode_from_string("cosine", "train.g_lr_schedule"), doppel::Error);
  EXPECT_EQ(doppel::cyclic_mode_from_string("triangular2", "x"), CyclicMode::Triangular2);
}
