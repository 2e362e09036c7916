# Every random and time resource destroyed (the importable ones imported
# first, so that their ids are known), one after the other.
import {
  to = random_integer.n
  id = "15,1,100,abc"
}

import {
  to = random_string.s
  id = "aB3x"
}

import {
  to = random_id.i
  id = "AAE"
}

import {
  to = random_uuid.u
  id = "6f1f4c6e-0000-4000-8000-000000000001"
}

import {
  to = random_password.p
  id = "s3cret!"
}

import {
  to = time_static.t
  id = "2024-01-02T03:04:05Z"
}

resource "random_integer" "n" {
  min  = 1
  max  = 100
  seed = "abc"
}

resource "random_string" "s" {
  length     = 4
  depends_on = [random_integer.n]
}

resource "random_id" "i" {
  byte_length = 2
  depends_on  = [random_string.s]
}

resource "random_uuid" "u" {
  depends_on = [random_id.i]
}

resource "random_password" "p" {
  length     = 7
  depends_on = [random_uuid.u]
}

resource "time_static" "t" {
  depends_on = [random_password.p]
}

resource "random_shuffle" "sh" {
  input      = ["a", "b", "c"]
  seed       = "x"
  depends_on = [time_static.t]
}

resource "time_sleep" "z" {
  create_duration = "0s"
  depends_on      = [random_shuffle.sh]
}
