terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
  backend "local" {

    path = "x.db"
  }
}

resource "google_storage_bucket" "b" {
  name = "b"
}

resource "azurerm_resource_group" "g" {
  name = "g"
}

resource "azurerm_resource_group" "h" {
  name = "h"
}
