# Import blocks for every random and time resource that can be imported
# (random_shuffle cannot: upstream has no importer), one after the other;
# random_password in C (its bcrypt takes "0s" or "1s").
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

resource "time_static" "t" {
  depends_on = [random_uuid.u]
}
