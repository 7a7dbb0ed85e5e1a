import { intuneInventory } from '../adapters/intune/graph-inventory.ts';
import { jamfInventory } from '../adapters/jamf/jamf-inventory.ts';
import type { InventoryReader } from './core/inventory.ts';
import type { Policy } from './core/policy.ts';
import type { Config } from './config.ts';
import { outboundProxy } from './surfaces.ts';

/**
 * The MDMs the policy turns on (`inventory.intune`, `inventory.jamf`) and the configuration can reach:
 * Intune with the directory's AZURE_* credentials, Jamf Pro with JAMF_URL, JAMF_CLIENT_ID, JAMF_CLIENT_SECRET.
 */
export function inventoryReadersFor(config: Config, policy: Policy, log: (line: string) => void): InventoryReader[] {
  const wanted = policy.inventory;
  const readers: InventoryReader[] = [];
  // HTTPS_PROXY / NO_PROXY: a government network reaches Microsoft and Jamf Cloud through its proxy.
  const proxy = outboundProxy();
  const via = proxy ? { dispatcher: proxy } : {};
  if (wanted?.intune) {
    if (config.entra) readers.push(intuneInventory({ ...config.entra, log, ...via }));
    else log('inventory.intune is on but AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET are not set: Intune is not read');
  }
  if (wanted?.jamf) {
    if (config.jamf) readers.push(jamfInventory({ ...config.jamf, log, ...via }));
    else log('inventory.jamf is on but JAMF_URL, JAMF_CLIENT_ID, JAMF_CLIENT_SECRET are not set: Jamf Pro is not read');
  }
  return readers;
}
