terraform {
  required_providers {
    google = {
      source = "hashicorp/google"
    }
  }
  backend "gcs" {
    bucket = "my-state"
    key    = "tern.tfstate"
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
