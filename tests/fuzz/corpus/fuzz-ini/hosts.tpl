# offline-pot hosts.tpl shape (see docs/offline-pot-deploy-guide.md in the original kit):
# groups are all children of 'all'; switches are single-quoted strings with '# comments'.
[installer]
10.0.0.2

[masters]
10.0.0.3
10.0.0.4
10.0.0.5

[workers]
10.0.0.6
10.0.0.7

[db]
10.0.0.6
10.0.0.7

[redis]
10.0.0.3
10.0.0.4
10.0.0.5

[logs]
10.0.0.3
10.0.0.4
10.0.0.5

[monitor]

[ingress]
10.0.0.4
10.0.0.5

[nfs]
10.0.0.6

[minio]
10.0.0.3
10.0.0.4
10.0.0.5
10.0.0.6

[salt]
10.0.0.3

[sgikes]
10.0.0.3
10.0.0.4
10.0.0.5

[ceph]

[k8s:children]
masters
workers

[all:vars]
ansible_ssh_user=root
ansible_ssh_pass=Pass@w0rd#2020
ansible_port=22

# switches: 'true' or 'false' (rewritten by builder.sh set_switch)
check_data_disk_size_switch='true' # data-disk size check
data_disk_init_swith='true' # partition+LVM+mkfs+mount data disk if raw
check_ex_net='true' # internet reachability check
recover_disk_to_raw_switch='false' # operation-undo: destroy LVM
deploy_ceph='false' # ceph disk checks only
use_calico='false' # kernel check threshold only
stress_perfor='true' # fio/iperf/sysbench benchmarks
deploy_redis='true' # with redis_mode
deploy_mysql='true' # MySQL master+slave on db group
deploy_prometheus='true'
deploy_helmtiller='true'
deploy_nginx_ingress='true' # nginx-ingress in ns pot
deploy_kafka='true'
deploy_elk='true'
deploy_nfs='true'
deploy_minio='false'
deploy_business='true' # business helmfile releases
deploy_salt_minion='true'
deploy_postgres='true' # postgres container on db[1]
deploy_sgikes='false'

app_env_flag='shtu' # customer name = helmfile environment
dpl_dir='/data/offline-pot'
remote_img_registry_url='reg.xx.yy.com'
proxy_domain=''
check_path='/data'
check_data_disk_size='200' # GB
data_disk_name='vdb'
ceph_disk_name='vdc'
check_ceph_disk_size='200'
disk_io_latency='25000' # microseconds
disk_iops='300'
fio_size='10G'
out_ser_domain1='mirrors.tencent.com'
out_ser_domain2='www.qq.com'
vg_name='vg_data'
lv_name='lv_data'
disk_device_name='/dev/vdb'
filesystem='xfs'
partition_cmd='n\np\n1\n\n\nt\n8e\nw'
registry_domain='registry.tke.com'
tke_replicas="1"
tke_ha_type="third" # third|tke|none
k8s_version='1.16.6'
net_interface='eth1'
cluster_cidr='172.16.0.0/19'
tke_vip=''
tke_vport='6443'
max_cluster_service_num=256
max_node_pod_num=256
docker_data_root='/data/docker'
kubelet_root_dir='/data/kubelet'
tke_admin_user='admin'
tke_pwd='admin'
tke_console_domain='console.tke.com'
ipvs='true'
salt_master_domain='salt.example.com'
salt_master_port='44506'
redis_mode='master-slave' # master-slave | cluster
REDIS_PORT='10101'
REDIS_PASS='Redis@2020'
redis_nodes='6'
redis_replicas='1'
use_aof='no'
redis_persistence='false'
redis_data_dir='/data/redis'
redis_taints='true'
MYSQL_BUFFER='2G'
MYSQL_PORT='3306'
MYSQL_DATADIR='/data/mysql'
MYSQL_PASS='Mysql@2020'
MYSQL_MODE='master-slave'
POSTGRES_DATA_DIR='/data/postgres'
POSTGRES_PASSWORD='Postgres@2020'
POSTGRES_IMAGE='library/postgres:12-alpine'
ingress_replica='2'
ingress_host_network='true'
ingress_svc_type='ClusterIP'
ingress_lb_ip=''
nfs_data='/data/nfs'
nfs_app_list='("app1" "app2")'
nfs_pv_storage_size='50Gi'
is_create_pv='false'
harbor_http='80'
harbor_https='443'
harbor_data_volume='/data/registry'
